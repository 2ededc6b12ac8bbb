import { useSearchParams } from 'react-router-dom';
import { DEFAULT_HUB_ENDPOINT, type BackendRequest } from '../engine';
import {
  enumCodec,
  numberCodec,
  stringCodec,
  useUrlState,
  type UrlCodec,
} from '../components/useUrlState';
import { DEFAULT_MODEL_NAMES, type DefaultModel } from '../components/defaultModels';

export type ModelChoice = DefaultModel | 'hub' | 'files';
export const MODEL_CHOICES: readonly ModelChoice[] = [...DEFAULT_MODEL_NAMES, 'hub', 'files'];
const modelCodec = enumCodec(MODEL_CHOICES);
const backendCodec = enumCodec(['auto', 'webgl', 'cpu'] as const);
const decodingCodec = enumCodec(['greedy', 'sample'] as const);
/** A switch that is on only as `=1` (read, never written). */
const switchCodec: UrlCodec<boolean> = {
  parse: (s) => s === '1',
  serialize: (v) => (v ? '1' : '0'),
};

/** The Hub form's starting values (`?hub=…&repo=…&rev=…`); edits stay in the form. */
export interface HubParams {
  endpoint: string;
  repo: string;
  revision: string;
}

/**
 * A generation field of the link: its query key, default and the values it may take. A value
 * outside them falls back to the default, and `generationLinkProblems` says so.
 */
interface FieldRange {
  key: string;
  name: string;
  fallback: number;
  min: number;
  max: number;
  whole: boolean;
}

/** The generation fields' ranges (the Generate panel's inputs keep to them too). */
export const GENERATION_FIELDS = {
  steps: { key: 'steps', name: 'tokens to generate', fallback: 64, min: 1, max: 512, whole: true },
  temperature: {
    key: 'temperature',
    name: 'temperature',
    fallback: 0.8,
    min: 0.05,
    max: 5,
    whole: false,
  },
  topK: { key: 'topk', name: 'top-k', fallback: 40, min: 1, max: 1000, whole: true },
  topP: { key: 'topp', name: 'top-p', fallback: 1, min: 0.01, max: 1, whole: false },
  seed: { key: 'seed', name: 'seed', fallback: 1, min: 0, max: 4294967295, whole: true },
  repetitionPenalty: {
    key: 'penalty',
    name: 'repetition penalty',
    fallback: 1,
    min: 1,
    max: 5,
    whole: false,
  },
} as const satisfies Record<string, FieldRange>;

/** True when `v` is a value the field may take. */
export function inRange(f: FieldRange, v: number): boolean {
  return Number.isFinite(v) && v >= f.min && v <= f.max && (!f.whole || Number.isInteger(v));
}

function rangeCodec(f: FieldRange): UrlCodec<number> {
  return {
    parse: (s) => {
      const v = numberCodec.parse(s);
      return v !== undefined && inRange(f, v) ? v : undefined;
    },
    serialize: numberCodec.serialize,
  };
}

const CODECS = new Map<FieldRange, UrlCodec<number>>();

/** One generation field in the URL: a value outside its range reads as the default. */
function useRangeField(f: FieldRange) {
  let codec = CODECS.get(f);
  if (!codec) CODECS.set(f, (codec = rangeCodec(f)));
  return useUrlState(f.key, codec, f.fallback);
}

/** Sentences about the link's generation fields that fell back to their defaults. */
export function generationLinkProblems(search: URLSearchParams): string[] {
  const out: string[] = [];
  const quote = (text: string) => `“${text.length > 24 ? `${text.slice(0, 24)}…` : text}”`;
  for (const f of Object.values(GENERATION_FIELDS)) {
    const raw = search.get(f.key);
    if (raw === null || rangeCodec(f).parse(raw) !== undefined) continue;
    out.push(
      `The link's ${f.name} ${quote(raw)} is not ${f.whole ? 'a whole number' : 'a number'} ` +
        `from ${f.min} to ${f.max}, so the default ${f.fallback} is used.`,
    );
  }
  const decoding = search.get('decoding');
  if (decoding !== null && decodingCodec.parse(decoding) === undefined)
    out.push(
      `The link's decoding ${quote(decoding)} is neither “greedy” nor “sample”, so seeded sampling is used.`,
    );
  return out;
}

/** How to generate: the controls of the Generate panel, each kept in the URL. */
export interface GenerationSettings {
  backend: BackendRequest;
  setBackend: (v: BackendRequest) => void;
  decoding: 'greedy' | 'sample';
  setDecoding: (v: 'greedy' | 'sample') => void;
  temperature: number;
  setTemperature: (v: number) => void;
  topK: number;
  setTopK: (v: number) => void;
  topP: number;
  setTopP: (v: number) => void;
  seed: number;
  setSeed: (v: number) => void;
  repetitionPenalty: number;
  setRepetitionPenalty: (v: number) => void;
  steps: number;
  setSteps: (v: number) => void;
  /** Sentences about link values that fell back to their defaults. */
  linkProblems: string[];
  /** Test hook `?forceCpu=1`: the worker pretends WebGL2 cannot run (the CPU fallback). */
  forceCpu: boolean;
}

/** All of the Playground's URL state, read in one place. */
export function usePlaygroundUrlState() {
  const [model, setModel] = useUrlState('model', modelCodec, 'moby-gpt2');
  const [backend, setBackend] = useUrlState('backend', backendCodec, 'auto');
  const [decoding, setDecoding] = useUrlState('decoding', decodingCodec, 'sample');
  const F = GENERATION_FIELDS;
  const [temperature, setTemperature] = useRangeField(F.temperature);
  const [topK, setTopK] = useRangeField(F.topK);
  const [topP, setTopP] = useRangeField(F.topP);
  const [seed, setSeed] = useRangeField(F.seed);
  const [repetitionPenalty, setRepetitionPenalty] = useRangeField(F.repetitionPenalty);
  const [steps, setSteps] = useRangeField(F.steps);
  const [search] = useSearchParams();
  const [endpoint] = useUrlState('hub', stringCodec, DEFAULT_HUB_ENDPOINT);
  const [repo] = useUrlState('repo', stringCodec, '');
  const [revision] = useUrlState('rev', stringCodec, 'main');
  const [forceCpu] = useUrlState('forceCpu', switchCodec, false);
  const hub: HubParams = { endpoint, repo, revision };
  const generation: GenerationSettings = {
    backend,
    setBackend,
    decoding,
    setDecoding,
    temperature,
    setTemperature,
    topK,
    setTopK,
    topP,
    setTopP,
    seed,
    setSeed,
    repetitionPenalty,
    setRepetitionPenalty,
    steps,
    setSteps,
    linkProblems: generationLinkProblems(search),
    forceCpu,
  };
  return { model, setModel, hub, generation };
}
