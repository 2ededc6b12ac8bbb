/**
 * Engine messages for hostile values: a RoPE base of 0 or NaN is named as the base (it used to
 * read "rotaryDim must be even"), and fromRows refuses non-numbers with their position (it
 * used to turn "1" into 1 and "x" into NaN).
 */
import { describe, expect, it } from 'vitest';
import { checkRope, checkRopeConfig } from '../../engine/checks';
import { CpuBackend, EngineInputError, fromRows } from '../../engine';
import { tinyCheckpoint, TINY_LLAMA, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

describe('RoPE base', () => {
  it.each([0, NaN, -1, Infinity])('base %s is named as the base', (base) => {
    expect(() => checkRopeConfig('layer 0', { pairing: 'half', base }, 8)).toThrow(
      `layer 0: bad RoPE config: base ${base} must be a positive finite number`,
    );
    const be = new CpuBackend({ dtype: 'float64' });
    expect(() =>
      be.rope(be.zeros([1, 8]), { heads: 1, positionOffset: 0, pairing: 'half', base }),
    ).toThrow(`rope: base ${base} must be a positive finite number`);
    expect(() => checkRope(8, { heads: 1, positionOffset: 0, pairing: 'half', base })).not.toThrow(
      /rotaryDim/,
    );
  });

  it('slim run on a Llama config.json with rope_theta 0 says so (exit 2)', async () => {
    const ck = tinyCheckpoint('llama', TINY_LLAMA);
    const files = new Map(ck.files).set(
      'config.json',
      new TextEncoder().encode(JSON.stringify({ ...ck.config, rope_theta: 0 })),
    );
    const { code, err } = await slim(
      'run',
      '--model',
      writeModelDir(files),
      '--tokens',
      '1',
      '--steps',
      '1',
      '--mode',
      'standard',
    );
    expect(code).toBe(2);
    expect(err).toMatch(/rope_theta|base 0/);
    expect(err).not.toMatch(/rotaryDim must be even/);
  });
});

describe('fromRows', () => {
  it('refuses strings and other non-numbers with their position', () => {
    const rows = [
      [1, 2],
      [3, '4'],
    ] as unknown as number[][];
    expect(() => fromRows(rows)).toThrow(EngineInputError);
    expect(() => fromRows(rows)).toThrow('fromRows: row 1, column 1 is "4", not a number');
    expect(() => fromRows([[null as unknown as number]])).toThrow(/row 0, column 0 is null/);
    expect(fromRows([[1, 2]]).data).toEqual(new Float64Array([1, 2]));
  });
});
