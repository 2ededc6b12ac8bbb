/**
 * The CLI on grouped-query checkpoints (paper Appendix G): `slim run` decodes a GQA Llama and a
 * Qwen2 in both modes with the same tokens (the X-cache or d-wide cache on the slim side, its
 * note on stderr), and `slim check` and `slim convert` say why there is nothing to convert
 * (exit 1).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  freshDir,
  gqaCheckpoint,
  referenceGqaLogits,
  TINY_GQA,
  writeModelDir,
} from './models-helpers';
import { slim } from './cli-helpers';

const argmax = (xs: readonly number[]) => xs.indexOf(Math.max(...xs));

describe('slim run, check and convert on grouped-query checkpoints', () => {
  it.each(['gqa-x-cache', 'gqa-d-wide', 'qwen2'] as const)(
    '%s: run --mode standard and --mode slim give the same tokens; the first is the reference’s',
    async (name) => {
      const c = TINY_GQA[name];
      const ckpt = gqaCheckpoint(c, { seed: 5 });
      const dir = writeModelDir(ckpt.files);
      const args = ['run', '--model', dir, '--tokens', '1,2,3,4', '--steps', '12', '--json'];
      const standard = await slim(...args, '--mode', 'standard');
      const slimmed = await slim(...args, '--mode', 'slim');
      expect(standard.code, standard.err).toBe(0);
      expect(slimmed.code, slimmed.err).toBe(0);
      expect(standard.err).toBe('');
      const a = JSON.parse(standard.out) as { generated: number[]; lastLogits: number[] };
      const b = JSON.parse(slimmed.out) as { generated: number[]; lastLogits: number[] };
      expect(b.generated).toEqual(a.generated);
      const want = referenceGqaLogits(c, ckpt.weights, [1, 2, 3, 4]).at(-1)!;
      expect(a.generated[0]).toBe(argmax(want));
      if (name === 'gqa-d-wide') expect(slimmed.err).toBe('');
      else
        expect(slimmed.err).toMatch(
          /^slim run: note: .*slim attention gives no gain.*X-cache anyway/,
        );
    },
  );

  it('run in text mode names the slim cache of a GQA model', async () => {
    const dir = writeModelDir(gqaCheckpoint(TINY_GQA['gqa-d-wide']).files);
    const r = await slim(
      'run',
      '--model',
      dir,
      '--tokens',
      '1,2',
      '--steps',
      '3',
      '--mode',
      'slim',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/mode: slim \(d-wide-cache in every layer, paper Appendix G\)/);
  });

  it('check and convert exit 1 saying why a GQA checkpoint has nothing to convert', async () => {
    const dir = writeModelDir(gqaCheckpoint(TINY_GQA['gqa-x-cache']).files);
    const check = await slim('check', '--model', dir, '--json');
    expect(check.code).toBe(1);
    expect(check.out).toBe('');
    expect(check.err).toMatch(
      /^slim check: .*: this is a GQA model \(8 query heads share 2 key\/value heads\): W_K is 32×8, not square, so there is no W_KV = W_K⁻¹·W_V to check or store .*the X-cache .*needs no conversion/,
    );
    const out = freshDir();
    const convert = await slim('convert', '--model', dir, '--out', out);
    expect(convert.code).toBe(1);
    expect(convert.err).toMatch(/^slim convert: .*: this is a GQA model .*W_K is 32×8, not square/);
    expect(existsSync(out)).toBe(false);
    const mqa = writeModelDir(gqaCheckpoint(TINY_GQA.mqa).files);
    expect((await slim('check', '--model', mqa)).err).toMatch(
      /this is a MQA model \(4 query heads share 1 key\/value heads\): W_K is 16×4/,
    );
  });
});
