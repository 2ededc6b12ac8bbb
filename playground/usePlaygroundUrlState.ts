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
  seed: number;
  setSeed: (v: number) => void;
  steps: number;
  setSteps: (v: number) => void;
  /** Test hook `?forceCpu=1`: the worker pretends WebGL2 cannot run (the CPU fallback). */
  forceCpu: boolean;
}

/** All of the Playground's URL state, read in one place. */
export function usePlaygroundUrlState() {
  const [model, setModel] = useUrlState('model', modelCodec, 'moby-gpt2');
  const [backend, setBackend] = useUrlState('backend', backendCodec, 'auto');
  const [decoding, setDecoding] = useUrlState('decoding', decodingCodec, 'greedy');
  const [temperature, setTemperature] = useUrlState('temperature', numberCodec, 0.8);
  const [topK, setTopK] = useUrlState('topk', numberCodec, 40);
  const [seed, setSeed] = useUrlState('seed', numberCodec, 1);
  const [steps, setSteps] = useUrlState('steps', numberCodec, 64);
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
    seed,
    setSeed,
    steps,
    setSteps,
    forceCpu,
  };
  return { model, setModel, hub, generation };
}
