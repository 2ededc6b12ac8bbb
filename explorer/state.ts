import { useCallback, useMemo } from 'react';
import {
  enumCodec,
  numberCodec,
  stringCodec,
  useUrlSearch,
  useUrlState,
  type UrlCodec,
} from '../components/useUrlState';
import { findChip, findModel } from '../roofline';
import {
  customModel,
  HfConfigError,
  MAX_SHAPE_NUMBER,
  storageFormats,
  type StorageFormat,
} from '../roofline';
import type { ArchitectureKind, Chip, Model, PositionalKind } from '../roofline';

/** Defaults: the paper's worked example (paper §1: Phi-3-mini-128k, 128K, 1 byte/value). */
export const DEFAULTS = {
  model: 'phi-3-mini-128k',
  chip: 'nvidia-h200',
  batch: 1,
  context: 128 * 1024,
  weightFormat: 'fp8' as StorageFormat,
  cacheFormat: 'fp8' as StorageFormat,
  plannerChips: 8,
  plannerUsers: 64,
};

export const CUSTOM = 'custom';

/**
 * The context a model opens at when the link names none: its own context length (for an
 * encoder–decoder, encoder + decoder positions), else the paper's 128K.
 */
export function defaultContext(model: Model): number {
  if (model.contextLength !== undefined) return model.contextLength;
  if (model.encoderLength !== undefined && model.decoderLength !== undefined)
    return model.encoderLength + model.decoderLength;
  return DEFAULTS.context;
}

/** The part of a custom model that the URL keeps (everything the cost model reads). */
export type CustomModelState = Pick<
  Model,
  | 'name'
  | 'params'
  | 'd'
  | 'layers'
  | 'heads'
  | 'kvHeads'
  | 'headDim'
  | 'contextLength'
  | 'architecture'
  | 'positional'
  | 'encoderLength'
  | 'decoderLength'
  | 'vocab'
  | 'ffnDim'
>;

export interface CustomChipState {
  /** Peak OPs per second (one figure, used for every number format). */
  peak: number;
  /** Bytes per second. */
  bandwidth: number;
  /** Bytes. */
  capacity: number;
}

const numericModelKeys = [
  'params',
  'd',
  'layers',
  'heads',
  'kvHeads',
  'headDim',
  'contextLength',
  'encoderLength',
  'decoderLength',
  'vocab',
  'ffnDim',
] as const;
const architectures: readonly ArchitectureKind[] = ['decoder', 'encoder-decoder'];
const positionals: readonly PositionalKind[] = ['rope', 'learned', 'absolute', 'relative', 'alibi'];

/**
 * A value inside "key:value~key:value" text: '%' and the separator '~' are percent-escaped (and
 * nothing else, so links stay readable; URLSearchParams encodes the rest). `pairs` decodes with
 * decodeURIComponent, which also reads older links whose values were fully URI-encoded.
 */
export function escapePairValue(value: string): string {
  return value.replace(/%/g, '%25').replace(/~/g, '%7E');
}

/** "key:value" pairs joined by '~', values escaped by `escapePairValue`: short, readable links. */
function pairs(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of text.split('~')) {
    const i = part.indexOf(':');
    if (i <= 0) return undefined;
    try {
      out.set(part.slice(0, i), decodeURIComponent(part.slice(i + 1)));
    } catch {
      return undefined;
    }
  }
  return out;
}

function positive(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** A custom model read from a link, or the sentence that says why it cannot be used. */
export function readCustomModel(text: string): CustomModelState | { problem: string } {
  const map = pairs(text);
  if (!map) return { problem: 'It is not a list of key:value pairs joined by “~”.' };
  const get = (k: string) => positive(map.get(k));
  for (const k of ['d', 'layers', 'heads', 'kvHeads', 'headDim', 'params'])
    if (!get(k))
      return {
        problem: `Its ${k} ${map.has(k) ? `“${map.get(k)}” is not a positive number` : 'is missing'}.`,
      };
  const [d, layers, heads, kvHeads, headDim, params] = [
    'd',
    'layers',
    'heads',
    'kvHeads',
    'headDim',
    'params',
  ].map((k) => get(k) as number);
  const architecture = map.get('architecture') ?? 'decoder';
  const positional = map.get('positional') ?? 'rope';
  if (!(architectures as readonly string[]).includes(architecture))
    return { problem: `Its architecture “${architecture}” is not ${architectures.join(' or ')}.` };
  if (!(positionals as readonly string[]).includes(positional))
    return { problem: `Its positional “${positional}” is not one of ${positionals.join(', ')}.` };
  const optional = ['contextLength', 'encoderLength', 'decoderLength', 'vocab', 'ffnDim'];
  for (const k of optional) {
    const v = get(k);
    if (map.has(k) && !(v !== undefined && Number.isInteger(v) && v <= MAX_SHAPE_NUMBER))
      return {
        problem: `Its ${k} “${map.get(k)}” is not a whole number from 1 to ${MAX_SHAPE_NUMBER.toLocaleString('en-US')}.`,
      };
  }
  // The same integer, size and divisibility checks as the typed-in form (roofline/hfConfig.ts),
  // so a hand-edited link such as d:100.5, d:1e300 or heads:3~kvHeads:2 falls back to the
  // default model with the reason instead of reaching the views.
  try {
    customModel({
      d,
      layers,
      heads,
      kvHeads,
      headDim,
      contextLength: get('contextLength') ?? 1,
      params,
      positional: positional as PositionalKind,
    });
  } catch (err) {
    if (!(err instanceof HfConfigError)) throw err;
    return { problem: err.message };
  }
  return {
    name: map.get('name') ?? 'Custom model',
    params,
    d,
    layers,
    heads,
    kvHeads,
    headDim,
    contextLength: get('contextLength'),
    encoderLength: get('encoderLength'),
    decoderLength: get('decoderLength'),
    vocab: get('vocab'),
    ffnDim: get('ffnDim'),
    architecture: architecture as ArchitectureKind,
    positional: positional as PositionalKind,
  };
}

export const customModelCodec: UrlCodec<CustomModelState> = {
  parse(text) {
    const m = readCustomModel(text);
    return 'problem' in m ? undefined : m;
  },
  serialize(m) {
    const parts = [`name:${escapePairValue(m.name)}`];
    for (const k of numericModelKeys) if (m[k] !== undefined) parts.push(`${k}:${m[k]}`);
    parts.push(`architecture:${m.architecture}`, `positional:${m.positional}`);
    return parts.join('~');
  },
};

/**
 * The ranges a custom chip's numbers may take: wide enough for any real chip (a microcontroller
 * to a whole rack), narrow enough that every time, ratio and fit the cost model derives is finite.
 */
export const CUSTOM_CHIP_LIMITS: Readonly<
  Record<keyof CustomChipState, { min: number; max: number; unit: string }>
> = {
  peak: { min: 1e9, max: 1e21, unit: 'OPs per second' },
  bandwidth: { min: 1e6, max: 1e18, unit: 'bytes per second' },
  capacity: { min: 1e6, max: 1e18, unit: 'bytes' },
};

const chipKeys = ['peak', 'bandwidth', 'capacity'] as const;

function scientific(x: number): string {
  return x.toExponential().replace('e+', 'e');
}

/** Why a custom chip's number cannot be used (naming the field), or undefined when it can. */
export function customChipProblem(key: keyof CustomChipState, value: number): string | undefined {
  const { min, max, unit } = CUSTOM_CHIP_LIMITS[key];
  if (Number.isFinite(value) && value >= min && value <= max) return undefined;
  return (
    `The custom chip's ${key} must be between ${scientific(min)} and ${scientific(max)} ` +
    `${unit}, got ${Number.isNaN(value) ? 'no number' : scientific(value)}.`
  );
}

/** A custom chip read from a link, or the sentence that says why it cannot be used. */
export function readCustomChip(text: string): CustomChipState | { problem: string } {
  const map = pairs(text);
  if (!map) return { problem: 'The custom chip in the link is not key:value pairs joined by “~”.' };
  const out: Partial<CustomChipState> = {};
  for (const k of chipKeys) {
    const raw = map.get(k);
    if (raw === undefined) return { problem: `The custom chip in the link has no ${k}.` };
    const problem = customChipProblem(k, raw.trim() === '' ? NaN : Number(raw));
    if (problem) return { problem };
    out[k] = Number(raw);
  }
  return out as CustomChipState;
}

export const customChipCodec: UrlCodec<CustomChipState> = {
  parse(text) {
    const c = readCustomChip(text);
    return 'problem' in c ? undefined : c;
  },
  serialize: (c) => `peak:${c.peak}~bandwidth:${c.bandwidth}~capacity:${c.capacity}`,
};

/**
 * A positive integer codec (batch, context, counts) up to 2^53 − 1, where float64 counts stop
 * being exact: anything else falls back to the default (and `linkProblems` says so).
 */
const countCodec: UrlCodec<number> = {
  parse: (s) => {
    const v = numberCodec.parse(s);
    return v !== undefined && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
  },
  serialize: numberCodec.serialize,
};

const formatCodec = enumCodec(storageFormats);

/** Default custom model: Phi-3-mini's shape, so switching to "custom" starts somewhere real. */
export const DEFAULT_CUSTOM_MODEL: CustomModelState = {
  name: 'Custom model',
  params: 3.8e9,
  d: 3072,
  layers: 32,
  heads: 32,
  kvHeads: 32,
  headDim: 96,
  contextLength: 128 * 1024,
  architecture: 'decoder',
  positional: 'rope',
};

/** Default custom chip: H200-like numbers (1,980 TOPS, 4.8 TB/s, 141 GB). */
export const DEFAULT_CUSTOM_CHIP: CustomChipState = {
  peak: 1.98e15,
  bandwidth: 4.8e12,
  capacity: 141e9,
};

export function customModelToModel(state: CustomModelState): Model {
  const attention =
    state.kvHeads === state.heads ? 'MHA' : state.kvHeads === 1 ? 'MQA' : ('GQA' as const);
  return { ...state, id: CUSTOM, attention, source: 'custom (typed in or pasted config.json)' };
}

export function customChipToChip(state: CustomChipState): Chip {
  const peak = state.peak;
  return {
    id: CUSTOM,
    name: 'Custom chip',
    vendor: 'custom',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: { fp32: peak, tf32: peak, bf16: peak, fp16: peak, fp8: peak, int8: peak },
    memoryBandwidth: state.bandwidth,
    memoryCapacity: state.capacity,
    source: 'typed in by the user (one peak for every number format)',
  };
}

const countNames: Readonly<Record<string, string>> = {
  batch: 'batch',
  n: 'context length n',
  k: 'planner chip count',
  users: 'planner user count',
};

/**
 * One sentence per link parameter that cannot be used, naming the field and what is shown
 * instead (a hand-edited or truncated link must not silently show something else, or NaN).
 */
export function linkProblems(search: URLSearchParams): string[] {
  const out: string[] = [];
  const quote = (text: string) => `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;
  const model = search.get('model');
  if (model !== null && model !== CUSTOM && !findModel(model))
    out.push(`The link's model ${quote(model)} is not in the catalog, so the default is shown.`);
  const chip = search.get('chip');
  if (chip !== null && chip !== CUSTOM && !findChip(chip))
    out.push(`The link's chip ${quote(chip)} is not in the catalog, so the default is shown.`);
  const cm = search.get('cm');
  if (cm !== null && model === CUSTOM) {
    const read = readCustomModel(cm);
    if ('problem' in read)
      out.push(
        `The link's custom model cannot be used, so a default one is shown. ${read.problem}`,
      );
  }
  const cc = search.get('cc');
  if (cc !== null && chip === CUSTOM) {
    const read = readCustomChip(cc);
    if ('problem' in read) out.push(`${read.problem} A default custom chip is shown.`);
  }
  for (const [key, name] of Object.entries(countNames)) {
    const text = search.get(key);
    if (text !== null && countCodec.parse(text) === undefined)
      out.push(
        `The link's ${name} ${quote(text)} is not a whole number from 1 to ` +
          `${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')}, so the default is shown.`,
      );
  }
  for (const [key, name] of [
    ['wfmt', 'weight format'],
    ['cfmt', 'cache format'],
  ] as const) {
    const text = search.get(key);
    if (text !== null && formatCodec.parse(text) === undefined)
      out.push(
        `The link's ${name} ${quote(text)} is not one of ${storageFormats.join(', ')}, so the ` +
          'default is shown.',
      );
  }
  return out;
}

export interface ExplorerState {
  modelId: string;
  /** Selects a catalog model (or CUSTOM) and sets n to its own context. */
  setModelId: (id: string) => void;
  customModel: CustomModelState;
  setCustomModel: (m: CustomModelState) => void;
  chipId: string;
  setChipId: (id: string) => void;
  customChip: CustomChipState;
  setCustomChip: (c: CustomChipState) => void;
  batch: number;
  setBatch: (b: number) => void;
  context: number;
  setContext: (n: number) => void;
  weightFormat: StorageFormat;
  setWeightFormat: (f: StorageFormat) => void;
  cacheFormat: StorageFormat;
  setCacheFormat: (f: StorageFormat) => void;
  plannerChips: number;
  setPlannerChips: (k: number) => void;
  plannerUsers: number;
  setPlannerUsers: (u: number) => void;
  /** Switches to a custom model (id and data together). */
  applyCustomModel: (m: CustomModelState) => void;
  applyCustomChip: (c: CustomChipState) => void;
  /** The resolved model and chip (catalog entry or custom). */
  model: Model;
  chip: Chip;
  /** Sentences about link parameters that could not be used (see `linkProblems`). */
  problems: string[];
}

/** All the page's controls, each in the URL (components/useUrlState.ts). */
export function useExplorerState(): ExplorerState {
  // Every control is React state at once and reaches the URL in one write once the page rests
  // (the page's UrlStateProvider): a router navigation and history.replaceState inside the
  // change event cost more than a frame.
  const now = { batch: true };
  const [modelId, setModelId] = useUrlState('model', stringCodec, DEFAULTS.model, now);
  const [customModel, setCustomModel] = useUrlState(
    'cm',
    customModelCodec,
    DEFAULT_CUSTOM_MODEL,
    now,
  );
  const [chipId, setChipId] = useUrlState('chip', stringCodec, DEFAULTS.chip, now);
  const [customChip, setCustomChip] = useUrlState('cc', customChipCodec, DEFAULT_CUSTOM_CHIP, now);
  const [batch, setBatch] = useUrlState('batch', countCodec, DEFAULTS.batch, now);
  const [weightFormat, setWeightFormat] = useUrlState(
    'wfmt',
    formatCodec,
    DEFAULTS.weightFormat,
    now,
  );
  const [cacheFormat, setCacheFormat] = useUrlState('cfmt', formatCodec, DEFAULTS.cacheFormat, now);
  const [plannerChips, setPlannerChips] = useUrlState('k', countCodec, DEFAULTS.plannerChips, now);
  const [plannerUsers, setPlannerUsers] = useUrlState(
    'users',
    countCodec,
    DEFAULTS.plannerUsers,
    now,
  );

  const model = useMemo(
    () =>
      modelId === CUSTOM
        ? customModelToModel(customModel)
        : (findModel(modelId) ?? (findModel(DEFAULTS.model) as Model)),
    [modelId, customModel],
  );
  // Without n in the link the context is the model's own, so a model opens at a length it can run.
  const modelContext = defaultContext(model);
  const [context, setContext] = useUrlState('n', countCodec, modelContext, now);
  // Writing the current default drops n from the URL, so the next model's own context applies.
  const resetContext = useCallback(() => setContext(modelContext), [setContext, modelContext]);
  const selectModel = useCallback(
    (id: string) => {
      resetContext();
      setModelId(id);
    },
    [resetContext, setModelId],
  );

  // Id and data change together; each write is applied in the same render, so no view sees the
  // custom id with stale data.
  const applyCustomModel = useCallback(
    (m: CustomModelState) => {
      resetContext();
      setCustomModel(m);
      setModelId(CUSTOM);
    },
    [resetContext, setCustomModel, setModelId],
  );
  const applyCustomChip = useCallback(
    (c: CustomChipState) => {
      setCustomChip(c);
      setChipId(CUSTOM);
    },
    [setCustomChip, setChipId],
  );

  const search = useUrlSearch();
  const problems = useMemo(() => linkProblems(search), [search]);

  const chip = useMemo(
    () =>
      chipId === CUSTOM
        ? customChipToChip(customChip)
        : (findChip(chipId) ?? (findChip(DEFAULTS.chip) as Chip)),
    [chipId, customChip],
  );

  return {
    modelId: modelId === CUSTOM || findModel(modelId) ? modelId : DEFAULTS.model,
    setModelId: selectModel,
    customModel,
    setCustomModel,
    chipId: chipId === CUSTOM || findChip(chipId) ? chipId : DEFAULTS.chip,
    setChipId,
    customChip,
    setCustomChip,
    batch,
    setBatch,
    context,
    setContext,
    weightFormat,
    setWeightFormat,
    cacheFormat,
    setCacheFormat,
    plannerChips,
    setPlannerChips,
    plannerUsers,
    setPlannerUsers,
    applyCustomModel,
    applyCustomChip,
    model,
    chip,
    problems,
  };
}
