/**
 * `npx tsx scripts/card-samples.ts [MODELS_DIR]` (default public/models): after training, checks
 * each default model through the `slim` CLI, as a user would run it, and writes the app's own
 * samples into its model card (README.md, between the `app-samples` markers the training script
 * leaves).
 *
 * For each model: 40 greedy tokens after the card's prompt, standard and slim, must be the same
 * tokens and hold at least 10 distinct ones; then seeds 1–5 with the Playground's default sampling
 * (temperature 0.8, top-k 40), standard and slim, must draw the same tokens. Exits 1 on a
 * mismatch or a greedy loop. Runs offline; CI never runs it (the cards are committed).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PROMPT = 'Call me Ishmael. Some years ago';
const MODELS = ['moby-gpt2', 'moby-llama'];
const GREEDY_STEPS = 40;
const MIN_DISTINCT = 10;
const SAMPLE_STEPS = 60;
const SEEDS = [1, 2, 3, 4, 5];
const SAMPLING = ['--temperature', '0.8', '--top-k', '40'];
const START = '<!-- app-samples -->';
const END = '<!-- /app-samples -->';

interface Run {
  ids: number[];
  text: string;
}

/** One `slim run`, read from its text output (the generated ids and the decoded text). */
function slimRun(model: string, mode: 'standard' | 'slim', steps: number, extra: string[]): Run {
  const out = execFileSync(
    'npx',
    [
      'tsx',
      'cli/slim.ts',
      'run',
      '--model',
      model,
      '--prompt',
      PROMPT,
      '--steps',
      String(steps),
    ].concat(['--mode', mode, ...extra]),
    { encoding: 'utf8' },
  );
  const line = (key: string) => {
    const found = out.split('\n').find((l) => l.startsWith(`${key}: `));
    if (found === undefined) throw new Error(`slim run printed no "${key}:" line:\n${out}`);
    return found.slice(key.length + 2);
  };
  return { ids: line('generated').split(' ').map(Number), text: line('text') };
}

/** Standard and slim from the same options: their tokens must agree. */
function bothSides(model: string, steps: number, extra: string[], what: string): Run {
  const standard = slimRun(model, 'standard', steps, extra);
  const slim = slimRun(model, 'slim', steps, extra);
  if (standard.ids.join() !== slim.ids.join())
    throw new Error(`${model}, ${what}: slim drew other tokens than standard`);
  return standard;
}

function main(): void {
  const dir = process.argv[2] ?? join('public', 'models');
  let failed = false;
  for (const name of MODELS) {
    const model = join(dir, name);
    const greedy = bothSides(model, GREEDY_STEPS, [], 'greedy');
    const distinct = new Set(greedy.ids).size;
    console.log(`${name}: greedy ${GREEDY_STEPS} tokens, ${distinct} distinct, slim = standard`);
    if (distinct < MIN_DISTINCT) {
      console.error(`${name}: fewer than ${MIN_DISTINCT} distinct greedy tokens: the model loops`);
      failed = true;
    }
    const samples = SEEDS.map((seed) => {
      const run = bothSides(
        model,
        SAMPLE_STEPS,
        [...SAMPLING, '--seed', String(seed)],
        `seed ${seed}`,
      );
      console.log(`${name}: seed ${seed}, slim = standard: ${run.text}`);
      return `Seed ${seed}:\n\n> ${run.text.replace(/\n/g, '\n> ')}`;
    });
    const section = [
      START,
      `In the app (the Playground's default sampling: temperature 0.8, top-k 40, ${SAMPLE_STEPS} tokens;`,
      'standard and slim attention drew the same tokens for every seed). The same text from the CLI:',
      '',
      '```',
      `npm run slim -- run --model ${dir}/${name} --prompt "${PROMPT}" --steps ${SAMPLE_STEPS} \\`,
      '  --mode slim --temperature 0.8 --top-k 40 --seed 1',
      '```',
      '',
      samples.join('\n\n'),
      '',
      END,
    ].join('\n');
    const card = join(model, 'README.md');
    const text = readFileSync(card, 'utf8');
    const [a, b] = [text.indexOf(START), text.indexOf(END)];
    if (a < 0 || b < a) throw new Error(`${card} has no ${START} … ${END} markers`);
    writeFileSync(card, text.slice(0, a) + section + text.slice(b + END.length));
  }
  process.exit(failed ? 1 : 0);
}

main();
