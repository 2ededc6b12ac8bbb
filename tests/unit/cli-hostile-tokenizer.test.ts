/**
 * The CLI on hostile tokenizer files: `run` refuses a catastrophic pattern before tokenizing
 * (it used to freeze), `check` and `convert` refuse what `run` would (so a hostile tokenizer is
 * neither passed nor copied), and a tokenizer that fails while encoding is exit 2, not an
 * "unexpected error".
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDir } from './models-helpers';
import { slim } from './cli-helpers';

/** A copy of moby-gpt2 with its tokenizer.json edited. */
function withTokenizer(edit: (json: Record<string, unknown>) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'slim-tok-')), 'moby');
  cpSync('public/models/moby-gpt2', dir, { recursive: true });
  const path = join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return dir;
}

const catastrophic = () =>
  withTokenizer((j) => {
    j['pre_tokenizer'] = {
      type: 'Split',
      pattern: { Regex: '(a+)+$' },
      behavior: 'Isolated',
      invert: false,
    };
  });

describe('slim run / check / convert with a hostile tokenizer', () => {
  it('a catastrophic Split pattern: exit 2 naming tokenizer.json, the entry and the pattern', async () => {
    const dir = catastrophic();
    const out = freshDir();
    const runs = [
      [
        'run',
        '--model',
        dir,
        '--prompt',
        'a'.repeat(40) + '!',
        '--steps',
        '1',
        '--mode',
        'standard',
      ],
      ['check', '--model', dir],
      ['convert', '--model', dir, '--out', out],
    ];
    for (const argv of runs) {
      const r = await slim(...argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.err).toMatch(
        /tokenizer\.json: pre_tokenizer\.pattern\.Regex "\(a\+\)\+\$" is refused: .*catastrophic backtracking/,
      );
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a tokenizer that fails while encoding is exit 2 with the file named', async () => {
    const dir = withTokenizer((j) => {
      j['post_processor'] = { type: 'TemplateProcessing', single: 'x' };
    });
    const r = await slim(
      'run',
      '--model',
      dir,
      '--prompt',
      'Call me',
      '--steps',
      '1',
      '--mode',
      'standard',
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tokenizer\.json: encoding the text failed: /);
    expect(r.err).not.toMatch(/unexpected error/);
    expect((await slim('check', '--model', dir)).code).toBe(2);
  });

  it('check refuses a token id outside the model’s vocabulary, naming the entry', async () => {
    const dir = withTokenizer((j) => {
      (j['model'] as { vocab: Record<string, number> }).vocab['Call'] = 5000;
    });
    const r = await slim('check', '--model', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /tokenizer\.json: model\.vocab\["Call"\] is token id 5000, outside the model's vocabulary \(config\.json: ids 0 … 1023\)/,
    );
  });
});
