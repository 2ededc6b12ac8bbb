import { useDeferredValue, useMemo, useState } from 'react';
import { numberCodec, stringCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { layerRun } from './sparseRun';
import { useMobyModel, useProbes } from './useMobyProbes';

/** The opening of Moby-Dick; the model was trained on the book. */
export const SPARSITY_DEFAULT_PROMPT =
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money';
/** Longest prompt the lesson reads (the bar chart stays legible, the forward pass short). */
export const SPARSITY_MAX_TOKENS = 64;
/** The threshold slider: 0 … 0.3 in steps of 0.005. */
export const TAU = { min: 0, max: 0.3, step: 0.005, initial: 0.02 };

/**
 * Layer and head are 1-based in the URL and on screen, as a reader counts them; `count` bounds
 * what the URL may say (the lesson clamps to the model's own sizes once it has loaded).
 */
const indexCodec = (count: number): UrlCodec<number> => ({
  parse: (s) => {
    const v = numberCodec.parse(s);
    return v !== undefined && Number.isInteger(v) && v >= 1 && v <= count ? v : undefined;
  },
  serialize: (v) => String(v),
});
const tauCodec: UrlCodec<number> = {
  parse: (s) => {
    const v = numberCodec.parse(s);
    return v !== undefined && v >= TAU.min && v <= TAU.max ? v : undefined;
  },
  serialize: (v) => String(v),
};

/**
 * The lesson's state: the model, the prompt, layer, head and threshold (in the URL), the probes of
 * the chosen layer and what the sections show from them.
 */
export function useAttentionRow() {
  const [attempt, setAttempt] = useState(0);
  const loaded = useMobyModel(attempt);
  const model = loaded.status === 'ready' ? loaded.model : undefined;
  const [prompt, setPrompt] = useLessonState('prompt', stringCodec, SPARSITY_DEFAULT_PROMPT);
  const [layer1, setLayer] = useLessonState('layer', indexCodec(64), 2);
  const [head1, setHead] = useLessonState('head', indexCodec(64), 1);
  const [tau, setTau] = useLessonState('tau', tauCodec, TAU.initial);
  // The row, its chart and counts follow the threshold in a deferred render: a drag moves the
  // slider every frame.
  const shownTau = useDeferredValue(tau);

  const layer = model ? Math.min(layer1, model.layers) - 1 : 0;
  const head = model ? Math.min(head1, model.heads) - 1 : 0;
  const encoded = useMemo(
    () => (model ? model.tokenizer.encode(prompt) : undefined),
    [model, prompt],
  );
  const promptProblem =
    encoded === undefined
      ? undefined
      : encoded.length < 2
        ? 'Type a longer prompt: the last token needs at least one earlier token to attend to.'
        : encoded.length > SPARSITY_MAX_TOKENS
          ? `The prompt is ${encoded.length} tokens long; this lesson reads at most ${SPARSITY_MAX_TOKENS}. Shorten it.`
          : undefined;
  const ids = promptProblem ? undefined : encoded;
  const probed = useProbes(model, ids, layer);
  const probes =
    probed.status === 'done'
      ? probed.probes
      : probed.status === 'running'
        ? probed.previous
        : undefined;
  const current = probed.status === 'done';

  const run = useMemo(
    () => (probes && model ? layerRun(probes, model.tokenizer, head, shownTau) : undefined),
    [probes, model, head, shownTau],
  );
  return {
    loaded,
    retry: () => setAttempt((a) => a + 1),
    model,
    prompt,
    setPrompt,
    layer,
    setLayer,
    head,
    setHead,
    tau,
    setTau,
    promptProblem,
    probed,
    current,
    probes,
    run,
  };
}

export type AttentionRow = ReturnType<typeof useAttentionRow>;
