/**
 * What the sections of lesson 'Trade-offs and FAQ' share: the chips, the 7B-class layer and the
 * whole decode steps they look at, and how they write ratios. Every figure comes from roofline/.
 */
import { enumCodec } from '../../components/useUrlState';
import { formatNumber } from '../../components/format';
import {
  bytesPerFormat,
  chips,
  computeDtype,
  decodeStepTimes,
  option2CoreSpeedup,
  requireChip,
  requireModel,
  ridgePoint,
  table2Speedups,
  type Chip,
} from '../../roofline';

/** Paper Table 3 counts 1 byte per value (int8) against the int8 peak. */
export const BYTES = 1;
/** Chips with an int8 peak (paper Table 3's unit), and the six of paper Table 3. */
export const INT8_CHIPS = chips.filter((c) => c.peakOpsPerSecond.int8 !== undefined);
export const PAPER_CHIPS = chips.filter((c) => c.paperTable3);
export const chipCodec = enumCodec(INT8_CHIPS.map((c) => c.id));
export const chipById = (id: string) => INT8_CHIPS.find((c) => c.id === id) ?? INT8_CHIPS[0];
export const ridge = (c: Chip) => ridgePoint(c, 'int8');

/** A 7B-class layer, as lessons 4 and 5 use (d = 4,096, h = 32). */
export const LAYER = { d: 4096, h: 32 };
/** Head width d_k of option 2's attention core (d = HEAD_DIM·h). */
export const HEAD_DIM = 128;

/** Whole decode steps a server might run (read in the explorer's default format, fp8). */
export const SCENARIOS = [
  { model: 'phi-3-mini-128k', chip: 'nvidia-h200', batch: 16, n: 131072 },
  { model: 'phi-3-mini-128k', chip: 'nvidia-h200', batch: 1, n: 1024 },
  { model: 'aya-23-35b', chip: 'apple-m4-max', batch: 64, n: 8192 },
  { model: 'aya-23-35b', chip: 'apple-m4-max', batch: 64, n: 1024 },
] as const;

export const ratio = (x: number) => `${formatNumber(x, 3)}×`;
export const perByte = (x: number) => formatNumber(x, 6);

/** Option 1 and option 2 against vanilla for one layer at context n (paper Table 2 on `chip`). */
export const layerSpeedups = (chip: Chip, n: number) =>
  table2Speedups({ ...LAYER, n }, chip, 'int8', BYTES);

/** Option 2's attention core against vanilla's at h heads of width HEAD_DIM (int8 roofline). */
export const coreSpeedup = (chip: Chip, h: number) =>
  option2CoreSpeedup(chip, 'int8', h, HEAD_DIM, BYTES);

export type Scenario = (typeof SCENARIOS)[number];

export function scenarioTimes(s: Scenario) {
  const chip = requireChip(s.chip);
  return decodeStepTimes(requireModel(s.model), chip, computeDtype(chip, 'fp8').dtype, {
    contextLength: s.n,
    batch: s.batch,
    bytesPerValue: bytesPerFormat.fp8,
  });
}
export function scenarioSpeedup(s: Scenario): number {
  return scenarioTimes(s).speedup;
}
export function explorerLink(s: Scenario): string {
  return `/explorer?model=${s.model}&chip=${s.chip}&batch=${s.batch}&n=${s.n}`;
}
