/**
 * Lesson 9's Whisper numbers (paper §4, Table 7): the rows of the regenerated table, each with
 * the paper's printed values where it prints them, and how the section writes its numbers.
 */
import {
  encoderDecoderCache,
  paperWhisperTable,
  requireModel,
  whisperModelIds,
  type EncoderDecoderRow,
} from '../../roofline';
import { formatNumber } from '../../components/format';

/** Batch slider: powers of two, 1 … 256. */
export const BATCH_EXP = { min: 0, max: 8 };
export const DEFAULT_BATCH_EXP = 6;
/** The paper prints the Whisper table at these batches. */
export const PRINTED_BATCHES = [1, 64];

export const millions = (x: number) => `${formatNumber(x / 1e6, 3)}M`;
export const times = (x: number) => `${formatNumber(x, 3)}×`;
export const ms = (seconds: number) => `${formatNumber(seconds * 1e3, 3)} ms`;

type Printed = readonly string[];
export interface WhisperRowSpec {
  label: string;
  key: string;
  value: (r: EncoderDecoderRow, i: number) => number;
  format: (x: number) => string;
  /** The paper's printed values (one per size) at this batch, if it prints this row there. */
  printed: (batch: number) => Printed | undefined;
}

export const P = paperWhisperTable;
const at = (batch: number, b1: PrintedGroup, b64: PrintedGroup) =>
  batch === 1 ? b1 : batch === 64 ? b64 : undefined;
const cacheOf = (i: number) => encoderDecoderCache(requireModel(whisperModelIds[i]));

export const SCHEMES = ['baseline', 'option1', 'option2'] as const;
type Scheme = (typeof SCHEMES)[number];
type PrintedGroup = Partial<Record<Scheme, Printed>>;
const SCHEME_LABEL: Record<Scheme, string> = {
  baseline: 'baseline',
  option1: 'K-caches',
  option2: 'E-cache',
};

/** One row per scheme of a paper §4 group (cache, weights, reads or speedup). */
function groupRows(
  group: 'cache' | 'params' | 'reads' | 'speedup',
  label: string,
  printed: (batch: number) => PrintedGroup | undefined,
  extra: Partial<Record<Scheme, string>> = {},
): WhisperRowSpec[] {
  const schemes = group === 'speedup' ? SCHEMES.slice(1) : SCHEMES;
  return schemes.map((s) => ({
    label: `${label}: ${SCHEME_LABEL[s]}${extra[s] ?? ''}`,
    key: `${group}-${s}`,
    value: (r) => (r[group] as Partial<Record<Scheme, number>>)[s] ?? NaN,
    format: group === 'speedup' ? times : millions,
    printed: (b) => printed(b)?.[s],
  }));
}

/** A row of the cache sizes every scheme shares the formula of. */
function cacheRow(label: string, key: 'eCache' | 'crossKv' | 'selfKv', printed: Printed) {
  return {
    label,
    key: key.replace(/[A-Z]/, (c) => `-${c.toLowerCase()}`),
    value: (_: EncoderDecoderRow, i: number) => cacheOf(i)[key],
    format: millions,
    printed: () => printed,
  };
}

export const WHISPER_ROWS: WhisperRowSpec[] = [
  cacheRow('E-cache, p·d', 'eCache', P.eCache),
  cacheRow('cross KV-cache, 2·p·d·l', 'crossKv', P.crossKv),
  cacheRow('self KV-cache, 2·448·d·l', 'selfKv', P.selfKv),
  ...groupRows('cache', 'cache', () => P.cache),
  {
    label: 'E-cache savings (paper §4, option 2)',
    key: 'savings',
    value: (r) => r.cache.baseline / r.cache.option2,
    format: times,
    printed: () => P.option2Savings,
  },
  ...groupRows('params', 'weights read per token', () => P.params, {
    option1: ' (+ W_KV)',
    option2: ' (+ W_K, W_V)',
  }),
  ...groupRows('reads', 'reads per token', (b) => at(b, P.readsB1, P.readsB64)),
  ...groupRows('speedup', 'speedup', (b) => at(b, P.speedupB1, P.speedupB64)),
];
