import { useCallback, useMemo } from 'react';
import {
  enumCodec,
  numberCodec,
  stringCodec,
  useUrlState,
  type UrlCodec,
} from '../components/useUrlState';
import { findChip, findModel } from '../roofline';
import { customModel, storageFormats, type StorageFormat } from '../roofline';
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

/** "key:value" pairs joined by '~', values URI-encoded: short, readable links. */
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

export const customModelCodec: UrlCodec<CustomModelState> = {
  parse(text) {
    const map = pairs(text);
    if (!map) return undefined;
    const get = (k: string) => positive(map.get(k));
    const d = get('d');
    const layers = get('layers');
    const heads = get('heads');
    const kvHeads = get('kvHeads');
    const headDim = get('headDim');
    const params = get('params');
    if (!d || !layers || !heads || !kvHeads || !headDim || !params) return undefined;
    const architecture = map.get('architecture') ?? 'decoder';
    const positional = map.get('positional') ?? 'rope';
    if (!(architectures as readonly string[]).includes(architecture)) return undefined;
    if (!(positionals as readonly string[]).includes(positional)) return undefined;
    const optional = ['contextLength', 'encoderLength', 'decoderLength', 'vocab', 'ffnDim'];
    if (optional.some((k) => map.has(k) && !Number.isInteger(get(k)))) return undefined;
    // The same integer and divisibility checks as the typed-in form (roofline/hfConfig.ts), so
    // a hand-edited link such as d:100.5 or heads:3~kvHeads:2 falls back to the default model
    // instead of reaching the views.
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
    } catch {
      return undefined;
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
  },
  serialize(m) {
    const parts = [`name:${encodeURIComponent(m.name)}`];
    for (const k of numericModelKeys) if (m[k] !== undefined) parts.push(`${k}:${m[k]}`);
    parts.push(`architecture:${m.architecture}`, `positional:${m.positional}`);
    return parts.join('~');
  },
};

export const customChipCodec: UrlCodec<CustomChipState> = {
  parse(text) {
    const map = pairs(text);
    const peak = positive(map?.get('peak'));
    const bandwidth = positive(map?.get('bandwidth'));
    const capacity = positive(map?.get('capacity'));
    return peak && bandwidth && capacity ? { peak, bandwidth, capacity } : undefined;
  },
  serialize: (c) => `peak:${c.peak}~bandwidth:${c.bandwidth}~capacity:${c.capacity}`,
};

/** A positive integer codec (batch, context, counts): anything else falls back to the default. */
const countCodec: UrlCodec<number> = {
  parse: (s) => {
    const v = numberCodec.parse(s);
    return v !== undefined && Number.isInteger(v) && v >= 1 ? v : undefined;
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

export interface ExplorerState {
  modelId: string;
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
}

/** All the page's controls, each in the URL (components/useUrlState.ts). */
export function useExplorerState(): ExplorerState {
  const [modelId, setModelId] = useUrlState('model', stringCodec, DEFAULTS.model);
  const [customModel, setCustomModel] = useUrlState('cm', customModelCodec, DEFAULT_CUSTOM_MODEL);
  const [chipId, setChipId] = useUrlState('chip', stringCodec, DEFAULTS.chip);
  const [customChip, setCustomChip] = useUrlState('cc', customChipCodec, DEFAULT_CUSTOM_CHIP);
  const [batch, setBatch] = useUrlState('batch', countCodec, DEFAULTS.batch);
  // The context follows a slider: React state at once, the URL once the slider rests (needs
  // the page's UrlStateProvider, see ExplorerPage).
  const [context, setContext] = useUrlState('n', countCodec, DEFAULTS.context, { batch: true });
  const [weightFormat, setWeightFormat] = useUrlState('wfmt', formatCodec, DEFAULTS.weightFormat);
  const [cacheFormat, setCacheFormat] = useUrlState('cfmt', formatCodec, DEFAULTS.cacheFormat);
  const [plannerChips, setPlannerChips] = useUrlState('k', countCodec, DEFAULTS.plannerChips);
  const [plannerUsers, setPlannerUsers] = useUrlState('users', countCodec, DEFAULTS.plannerUsers);

  // Id and data change together; each write is applied in the same render, so no view sees the
  // custom id with stale data.
  const applyCustomModel = useCallback(
    (m: CustomModelState) => {
      setCustomModel(m);
      setModelId(CUSTOM);
    },
    [setCustomModel, setModelId],
  );
  const applyCustomChip = useCallback(
    (c: CustomChipState) => {
      setCustomChip(c);
      setChipId(CUSTOM);
    },
    [setCustomChip, setChipId],
  );

  const model = useMemo(
    () =>
      modelId === CUSTOM
        ? customModelToModel(customModel)
        : (findModel(modelId) ?? (findModel(DEFAULTS.model) as Model)),
    [modelId, customModel],
  );
  const chip = useMemo(
    () =>
      chipId === CUSTOM
        ? customChipToChip(customChip)
        : (findChip(chipId) ?? (findChip(DEFAULTS.chip) as Chip)),
    [chipId, customChip],
  );

  return {
    modelId: modelId === CUSTOM || findModel(modelId) ? modelId : DEFAULTS.model,
    setModelId,
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
  };
}
