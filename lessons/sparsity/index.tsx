import './sparsity.css';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import * as Plot from '@observablehq/plot';
import {
  CpuBackend,
  headColumns,
  headRows,
  loadTokenizer,
  maxAbsDiff,
  readModel,
  sharedRowSkips,
  sharedRowSparsity,
  sparseKFirstSum,
  sparseWeightedSum,
  sparsityWorkFactor,
  type AttentionProbe,
  type LoadedModel,
  type ModelTokenizer,
  type SharedRowResult,
  type SparseResult,
} from '../../engine';
import { ropeRotationsPerStep } from '../../roofline';
import {
  defaultModelsBase,
  fetchDefaultModel,
  type DefaultModel,
} from '../../components/defaultModels';
import { ColumnHeads } from '../../components/ColumnHeads';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { plotStyle, seriesColors, tipOptions } from '../../components/charts/marks';
import { numberCodec, stringCodec, type UrlCodec } from '../../components/useUrlState';
import { Slider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';

const PAPER = 'https://arxiv.org/abs/2503.05840';
const MODEL: DefaultModel = 'moby-gpt2';
/** The opening of Moby-Dick; the model was trained on the book. */
export const SPARSITY_DEFAULT_PROMPT =
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money';
/** Longest prompt the lesson reads (the bar chart stays legible, the forward pass short). */
export const SPARSITY_MAX_TOKENS = 64;
/** The threshold slider: 0 … 0.3 in steps of 0.005. */
const TAU = { min: 0, max: 0.3, step: 0.005, initial: 0.02 };
/** Wait this long after the last keystroke before running the model on a new prompt. */
const PROMPT_DELAY_MS = 350;
/** The paper's figures (Appendix D): S = 0.8, and g = 4 heads sharing a value row. */
const PAPER_S = 0.8;
const PAPER_G = 4;

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

interface Model {
  tokenizer: ModelTokenizer;
  /** The same weights on the CPU backend in float64 and in float32, built with probe: true. */
  f64: LoadedModel;
  f32: LoadedModel;
  layers: number;
  heads: number;
  d: number;
}

type ModelState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; model: Model };

/** Fetches moby-gpt2 from the app's models folder and builds it twice (float64, float32). */
function useMobyModel(attempt: number): ModelState {
  const [state, setState] = useState<ModelState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    let built: Model | undefined;
    setState({ status: 'loading' });
    (async () => {
      const files = await fetchDefaultModel(MODEL, defaultModelsBase());
      const host = await readModel(files);
      const tokenizer = await loadTokenizer(files);
      if (!tokenizer) throw new Error(`The model ${MODEL} has no tokenizer files.`);
      if (cancelled) return;
      const options = { scheme: 'kv', probe: true } as const;
      built = {
        tokenizer,
        f64: host.build(new CpuBackend({ dtype: 'float64' }), options),
        f32: host.build(new CpuBackend({ dtype: 'float32' }), options),
        layers: host.spec.layers,
        heads: host.spec.heads,
        d: host.spec.d,
      };
      setState({ status: 'ready', model: built });
    })().catch((error: unknown) => {
      if (cancelled) return;
      const reason = error instanceof Error ? error.message : String(error);
      setState({ status: 'error', message: reason });
    });
    return () => {
      cancelled = true;
      built?.f64.dispose();
      built?.f32.dispose();
    };
  }, [attempt]);
  return state;
}

interface Probes {
  key: string;
  ids: number[];
  f64: AttentionProbe;
  f32: AttentionProbe;
}

type ProbeState =
  | { status: 'idle' }
  | { status: 'running'; previous?: Probes }
  | { status: 'error'; message: string }
  | { status: 'done'; probes: Probes };

/** Runs the model on `ids` and reads layer `layer` (0-based), after a pause in typing. */
function useProbes(model: Model | undefined, ids: number[] | undefined, layer: number): ProbeState {
  const [state, setState] = useState<ProbeState>({ status: 'idle' });
  const key = ids ? `${layer}:${ids.join(',')}` : '';
  useEffect(() => {
    if (!model || !ids) return;
    let cancelled = false;
    setState((s) => ({
      status: 'running',
      previous: s.status === 'done' ? s.probes : s.status === 'running' ? s.previous : undefined,
    }));
    const timer = setTimeout(() => {
      // One forward pass per dtype, with a pause between them so the page can paint.
      (async () => {
        const f64 = await model.f64.probeAttention(ids, { layer });
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (cancelled) return;
        const f32 = await model.f32.probeAttention(ids, { layer });
        if (!cancelled) setState({ status: 'done', probes: { key, ids, f64, f32 } });
      })().catch((error: unknown) => {
        if (!cancelled)
          setState({
            status: 'error',
            message: error instanceof Error ? error.message : String(error),
          });
      });
    }, PROMPT_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `key` names ids and layer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, key]);
  return state;
}

/** Standard and slim option 2 for one head at one threshold, from one probe. */
function headRun(probe: AttentionProbe, head: number, threshold: number) {
  const { heads } = probe;
  const probs = headRows(probe.probs, heads, head);
  const options = { heads: 1, threshold };
  const standard = sparseWeightedSum(probs, headColumns(probe.values, heads, head), options);
  const valueBias =
    probe.valueBias &&
    headColumns({ rows: 1, cols: probe.valueBias.length, data: probe.valueBias }, heads, head).data;
  const slim = sparseKFirstSum(probs, probe.keys, headColumns(probe.wKV, heads, head), {
    ...options,
    valueBias,
  });
  return { probs: probs.data, standard, slim };
}

/** "3 “ me”": position and token text, unique per bar. */
function tokenLabels(tokenizer: ModelTokenizer, ids: readonly number[]): string[] {
  return ids.map((id, j) => `${j} “${tokenizer.decode([id])}”`);
}

function rowChart(labels: string[], probs: Float64Array, threshold: number): Plot.PlotOptions {
  const data = labels.map((label, j) => ({
    label,
    p: probs[j],
    kept: probs[j] >= threshold ? 'kept' : 'skipped',
  }));
  const top = Math.max(threshold, ...probs);
  return {
    style: plotStyle,
    height: 40 + 15 * labels.length,
    marginLeft: 96,
    marginRight: 24,
    marginBottom: 44,
    x: {
      label: 'softmax weight s_j →',
      labelOffset: 38,
      domain: [0, top * 1.05],
      grid: true,
    },
    y: { label: null, domain: labels, tickSize: 0 },
    color: {
      domain: ['kept', 'skipped'],
      range: [seriesColors.slim, seriesColors.weights],
      legend: true,
    },
    marks: [
      Plot.barX(data, {
        y: 'label',
        x: 'p',
        fill: 'kept',
        title: (d: (typeof data)[number]) =>
          `Token ${d.label}: s = ${formatNumber(d.p, 3)}, ${d.kept} at τ = ${formatNumber(threshold, 3)}.`,
        tip: tipOptions,
      }),
      Plot.ruleX([threshold], { stroke: seriesColors.capacity, strokeDasharray: '6 4' }),
      Plot.text([threshold], {
        x: (t: number) => t,
        frameAnchor: 'top',
        dy: -6,
        text: () => `τ = ${formatNumber(threshold, 3)}`,
        fill: seriesColors.capacity,
        textAnchor: 'start',
      }),
    ],
  };
}

/** What the lesson computes from the probes for the chosen head and threshold. */
interface Run {
  r64: { probs: Float64Array; standard: SparseResult; slim: SparseResult };
  /** max |Δ| of the sparse head outputs, standard vs slim option 2, per dtype. */
  diff64: number;
  diff32: number;
  chart: Plot.PlotOptions;
  /** The layer's heads grouped g = 1, 2, 4 at a time. */
  groups: SharedRowResult[];
  /** All heads as one group: the key rows no head keeps. */
  anyHead: SharedRowResult;
}

const times = (x: number) => (Number.isFinite(x) ? `${formatNumber(x, 3)}×` : '∞ (every row)');

export function SparsityLesson() {
  const [attempt, setAttempt] = useState(0);
  const loaded = useMobyModel(attempt);
  const model = loaded.status === 'ready' ? loaded.model : undefined;
  const [prompt, setPrompt] = useLessonState('prompt', stringCodec, SPARSITY_DEFAULT_PROMPT);
  const [layer1, setLayer] = useLessonState('layer', indexCodec(64), 4);
  const [head1, setHead] = useLessonState('head', indexCodec(64), 1);
  const [tau, setTau] = useLessonState('tau', tauCodec, TAU.initial);
  const [workRevealed, setWorkRevealed] = useState(false);
  const [gqaRevealed, setGqaRevealed] = useState(false);

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

  const run = useMemo((): Run | undefined => {
    if (!probes || !model) return undefined;
    const h = Math.min(head, probes.f64.heads - 1);
    const r64 = headRun(probes.f64, h, tau);
    const r32 = headRun(probes.f32, h, tau);
    const groups = [1, 2, 4]
      .filter((g) => probes.f64.heads % g === 0)
      .map((g) =>
        sharedRowSkips(probes.f64.probs, { heads: probes.f64.heads, threshold: tau, group: g }),
      );
    const anyHead = sharedRowSkips(probes.f64.probs, {
      heads: probes.f64.heads,
      threshold: tau,
      group: probes.f64.heads,
    });
    return {
      r64,
      diff64: maxAbsDiff([r64.standard.output], [r64.slim.output]),
      diff32: maxAbsDiff([r32.standard.output], [r32.slim.output]),
      chart: rowChart(tokenLabels(model.tokenizer, probes.ids), r64.probs, tau),
      groups,
      anyHead,
    };
  }, [probes, model, head, tau]);

  const paperWork = sparsityWorkFactor(PAPER_S);
  const paperShared = sharedRowSparsity(PAPER_S, PAPER_G);

  return (
    <>
      <p>
        After softmax, most of a query’s weights are tiny. Decoding one token computes the weighted
        sum <Tex>{'y = \\sum_j s_j v_j'}</Tex> over all <Tex>{'n'}</Tex> cached tokens:{' '}
        <Tex>{'s_j'}</Tex> is the softmax weight (score) of token <Tex>{'j'}</Tex> and{' '}
        <Tex>{'v_j'}</Tex> its value row. <a href={PAPER}>The paper’s Appendix D</a> skips the rows
        whose weight is below a threshold <Tex>{'\\tau'}</Tex>: they contribute almost nothing, and
        each skipped row is work (and memory traffic) saved. The share of rows skipped is the{' '}
        <em>sparsity</em> <Tex>{'S'}</Tex>.
      </p>
      <p>
        Slim attention can skip the same rows. Its option 2 (lesson “Generate”) first sums the
        cached keys with the same weights and multiplies by <Tex>{'W_{KV}'}</Tex> once; a row with{' '}
        <Tex>{'s_j < \\tau'}</Tex> drops out of that sum exactly as <Tex>{'v_j'}</Tex> drops out of
        the standard one, because <Tex>{'v_j = k_j W_{KV}'}</Tex>:
      </p>
      <Tex block>
        {
          '\\underbrace{\\sum_{s_j \\ge \\tau} s_j\\, v_j}_{\\text{standard}} \\;=\\; \\underbrace{\\Big(\\sum_{s_j \\ge \\tau} s_j\\, k_j\\Big)\\, W_{KV}}_{\\text{slim, option 2}}'
        }
      </Tex>
      <p>
        To see real weights, this lesson runs <strong>{MODEL}</strong>, the small GPT-2 the
        Playground uses (trained on Moby-Dick; 4 layers of 4 heads, width <Tex>{'d = 128'}</Tex>,
        head width <Tex>{'d_k = 32'}</Tex>), in your browser on the engine’s CPU backend, in float64
        and float32. Your prompt goes through it, and the lesson reads the softmax weights{' '}
        <Tex>{'s_j'}</Tex> of the prompt’s last token in the layer and head you choose.
      </p>

      <h2>A real attention row</h2>
      <section
        className="sparsity-panel"
        aria-label="real attention row"
        aria-busy={loaded.status === 'loading' || probed.status === 'running'}
      >
        {loaded.status === 'loading' && (
          <p role="status" data-testid="model-status">
            Loading {MODEL} (about 4 MB) and building it on the CPU backend…
          </p>
        )}
        {loaded.status === 'error' && (
          <div className="notice-error" role="alert">
            <p data-testid="model-error">
              The lesson could not load the model {MODEL}. {loaded.message} The text below still
              reads without it; the numbers need the model.
            </p>
            <button type="button" onClick={() => setAttempt((a) => a + 1)}>
              Load the model again
            </button>
          </div>
        )}
        {model && (
          <>
            <label className="sparsity-prompt">
              Prompt
              <textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </label>
            <div className="sparsity-controls">
              <label className="select">
                layer{' '}
                <select value={layer + 1} onChange={(e) => setLayer(Number(e.target.value))}>
                  {Array.from({ length: model.layers }, (_, i) => (
                    <option key={i} value={i + 1}>
                      {i + 1}
                      {i + 1 === model.layers ? ' (last)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <label className="select">
                head{' '}
                <select value={head + 1} onChange={(e) => setHead(Number(e.target.value))}>
                  {Array.from({ length: model.heads }, (_, i) => (
                    <option key={i} value={i + 1}>
                      {i + 1}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <Slider
              label={<>threshold τ</>}
              min={TAU.min}
              max={TAU.max}
              step={TAU.step}
              value={tau}
              onChange={setTau}
              valueText={`τ = ${formatNumber(tau, 3)}`}
            />
            {promptProblem && (
              <p className="notice-error" role="alert" data-testid="prompt-problem">
                {promptProblem}
              </p>
            )}
            {probed.status === 'error' && (
              <p className="notice-error" role="alert">
                The model could not run on this prompt. {probed.message}
              </p>
            )}
            {!promptProblem && !current && probed.status !== 'error' && (
              <p role="status" className="small" data-testid="probe-status">
                Running the model on the prompt…
              </p>
            )}
            {run && probes && (
              <>
                <p className="small">
                  Head {head + 1} of layer {probes.f64.layer + 1}: the weights of the last token, “
                  {model.tokenizer.decode([probes.ids[probes.ids.length - 1]])}”, over the{' '}
                  <span data-testid="token-count">{probes.ids.length}</span> tokens of the prompt
                  (they sum to 1; the model splits text into short pieces of words). Bars under the
                  dashed line are skipped.
                </p>
                <PlotFigure
                  ariaLabel={`Softmax weights of the last token, head ${head + 1} of layer ${probes.f64.layer + 1}, with the threshold`}
                  options={run.chart}
                />
              </>
            )}
          </>
        )}
      </section>

      <h2>How much less work?</h2>
      <p>
        Without sparsity the weighted sum touches all <Tex>{'n'}</Tex> rows. With a share{' '}
        <Tex>{'S'}</Tex> of them skipped, <Tex>{'(1 - S)\\,n'}</Tex> rows are left.
      </p>
      <LessonCheckpoint
        id="sparsity-work"
        onRevealed={() => setWorkRevealed(true)}
        question={
          <>
            If the threshold skips 80% of a head’s value rows (<Tex>{'S = 0.8'}</Tex>), how many
            times less weighted-sum work is left?
          </>
        }
        choices={[1.25, 1.8, paperWork, 8].map((x) => ({
          label: times(x),
          correct: x === paperWork,
        }))}
        explanation={
          <p>
            <Tex>{'1/(1 - S)'}</Tex> = 1/(1 − 0.8) = {times(paperWork)}: one row in five is left
            (paper Appendix D). Skipping half the rows gives only {times(sparsityWorkFactor(0.5))};
            the gain grows quickly as <Tex>{'S'}</Tex> nears 1.
          </p>
        }
      />
      {!workRevealed ? (
        <p className="small">
          The rows skipped, <Tex>{'S'}</Tex> and the work saved at your threshold appear once the
          prediction above is answered.
        </p>
      ) : run && probes ? (
        <SparsityResults run={run} n={probes.ids.length} tau={tau} />
      ) : (
        <p className="small">The results appear once the model has run.</p>
      )}

      <h2>Why GQA makes skipping rarer</h2>
      <p>
        Grouped-query attention (GQA, paper Appendix G) lets <Tex>{'g'}</Tex> query heads share one
        key and value head, to shrink the cache <Tex>{'g'}</Tex> times. A shared value row can be
        skipped (not read at all) only when <em>all</em> <Tex>{'g'}</Tex> heads give it a weight
        below <Tex>{'\\tau'}</Tex>. If each head skips a row with chance <Tex>{'S'}</Tex>, on its
        own, that happens with chance <Tex>{'S^g'}</Tex>.
      </p>
      <LessonCheckpoint
        id="sparsity-gqa"
        onRevealed={() => setGqaRevealed(true)}
        question={
          <>
            Each head alone would skip 80% of the rows. With <Tex>{'g = 4'}</Tex> heads sharing each
            row, and heads that choose independently, what share of the shared rows can be skipped?
          </>
        }
        choices={[0.2, paperShared, 0.8, 0.96].map((x) => ({
          label: `${formatNumber(x * 100, 2)}%`,
          correct: x === paperShared,
        }))}
        explanation={
          <p>
            <Tex>{'S^g = 0.8^4'}</Tex> = {formatNumber(paperShared, 3)} (paper Appendix D): less
            than half the rows, down from 80%, so the work saved falls from {times(paperWork)} to{' '}
            {times(sparsityWorkFactor(paperShared))}. Sparsity pays most in plain multi-head
            attention, which is also where slim attention halves the cache.
          </p>
        }
      />
      {!gqaRevealed ? (
        <p className="small">
          The heads of {MODEL} grouped <Tex>{'g'}</Tex> at a time appear once the prediction above
          is answered.
        </p>
      ) : run && probes ? (
        <GroupTable groups={run.groups} layer={probes.f64.layer} tau={tau} />
      ) : (
        <p className="small">The grouped heads appear once the model has run.</p>
      )}

      <h2>With RoPE</h2>
      <p>
        {MODEL} has learned positions, not RoPE. In a RoPE model (lesson “RoPE”, Appendix E) the
        slim K-cache can hold raw keys, rotated for the scores at every step, or rotated keys, which
        must be turned back before <Tex>{'K W_{KV}'}</Tex>. Sparsity helps the second: only the keys
        a head keeps are needed in <Tex>{'(\\sum s_j k_j)\\,W_{KV}'}</Tex>, so only those are
        un-rotated.
      </p>
      {run && probes && (
        <RopeNote anyHead={run.anyHead} n={probes.ids.length} e={model?.d ?? 0} tau={tau} />
      )}
    </>
  );
}

function SparsityResults({ run, n, tau }: { run: Run; n: number; tau: number }) {
  const { standard, slim } = run.r64;
  const cells = (pick: (r: SparseResult) => ReactNode, id: string) => (
    <>
      <td data-testid={`${id}-standard`}>{pick(standard)}</td>
      <td data-testid={`${id}-slim`}>{pick(slim)}</td>
    </>
  );
  return (
    <>
      <table className="diff-table" aria-label="sparse weighted sums, standard and slim">
        <ColumnHeads
          columns={[
            <>at τ = {formatNumber(tau, 3)}</>,
            <>
              standard <Tex>{'\\sum s_j v_j'}</Tex>
            </>,
            <>
              slim option 2 <Tex>{'(\\sum s_j k_j) W_{KV}'}</Tex>
            </>,
          ]}
        />
        <tbody>
          <tr>
            <th scope="row">value rows skipped, of {n}</th>
            {cells((r) => formatCount(r.skipped), 'skipped')}
          </tr>
          <tr>
            <th scope="row">sparsity S</th>
            {cells((r) => formatNumber(r.sparsity, 3), 'sparsity')}
          </tr>
          <tr>
            <th scope="row">less work, 1/(1 − S)</th>
            {cells((r) => times(r.workFactor), 'work')}
          </tr>
          <tr>
            <th scope="row">output error, max |Δ| vs all rows</th>
            {cells((r) => formatNumber(r.maxAbsError, 3), 'error')}
          </tr>
          <tr>
            <th scope="row">relative to the largest output entry</th>
            {cells((r) => formatNumber(r.relativeError, 3), 'relerror')}
          </tr>
        </tbody>
      </table>
      <p>
        Both orders skip the same rows and lose the same amount: the error is the skipped rows’
        share of the sum, not a slim-attention error. Their sparse outputs differ only by rounding:
      </p>
      <table className="diff-table" aria-label="sparse standard versus slim option 2">
        <ColumnHeads
          columns={['max |Δ|, standard vs slim option 2, sparse', 'float64', 'float32']}
        />
        <tbody>
          <tr>
            <th scope="row">head output</th>
            <td data-testid="diff-f64">{formatNumber(run.diff64, 3)}</td>
            <td data-testid="diff-f32">{formatNumber(run.diff32, 3)}</td>
          </tr>
        </tbody>
      </table>
      <p className="small">
        Move the threshold: at τ = 0 nothing is skipped and the error is 0; as τ grows, S and the
        work saved grow, and so does the error. Where to stop is a choice of accuracy against speed.
        The standard cache also skips reading the skipped V rows; slim attention reads every key row
        for the scores anyway, so for it the saving is the arithmetic of the weighted sum.
      </p>
    </>
  );
}

function GroupTable({
  groups,
  layer,
  tau,
}: {
  groups: SharedRowResult[];
  layer: number;
  tau: number;
}) {
  const heads = groups[0].kvHeads * groups[0].group;
  return (
    <>
      <p>
        {MODEL} is plain multi-head attention, so we pretend: heads 1–2 and 3–4 share rows for{' '}
        <Tex>{'g = 2'}</Tex>, all four for <Tex>{'g = 4'}</Tex>. A row is skipped for the group when
        every head of it weighs the row below τ = {formatNumber(tau, 3)} (layer {layer + 1}, last
        token).
      </p>
      <table className="diff-table" aria-label="value rows shared by g heads">
        <ColumnHeads
          columns={[
            'g heads per row',
            <>S of a head alone (mean of the {heads})</>,
            <>
              <Tex>{'S^g'}</Tex> (independent heads)
            </>,
            'measured, shared rows',
            'less work',
          ]}
        />
        <tbody>
          {groups.map((r) => (
            <tr key={r.group}>
              <th scope="row">{r.group}</th>
              <td data-testid={`gqa-head-${r.group}`}>{formatNumber(r.headSparsity, 3)}</td>
              <td data-testid={`gqa-independent-${r.group}`}>{formatNumber(r.independent, 3)}</td>
              <td data-testid={`gqa-measured-${r.group}`}>{formatNumber(r.sparsity, 3)}</td>
              <td data-testid={`gqa-work-${r.group}`}>{times(r.workFactor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        Real heads do not choose independently: they often agree on the few tokens that matter (the
        first token, punctuation), so the measured share can sit above <Tex>{'S^g'}</Tex>. Either
        way it falls as <Tex>{'g'}</Tex> grows.
      </p>
    </>
  );
}

function RopeNote({
  anyHead,
  n,
  e,
  tau,
}: {
  anyHead: SharedRowResult;
  n: number;
  e: number;
  tau: number;
}) {
  const kept = n - anyHead.skipped;
  const all = ropeRotationsPerStep(n, e, 'slim-rotated').cachedKeys;
  const some = kept > 0 ? ropeRotationsPerStep(kept, e, 'slim-rotated').cachedKeys : 0;
  return (
    <p>
      Slim heads share whole key rows, so a key is needed when any head keeps it. At τ ={' '}
      {formatNumber(tau, 3)} in this layer,{' '}
      <strong data-testid="rope-kept">{formatCount(kept)}</strong> of the {n} keys are kept by at
      least one head: a rotated K-cache of width {e} would un-rotate{' '}
      <strong data-testid="rope-unrotate-kept">{formatCount(some)}</strong> column pairs (one 2-D
      rotation each) instead of <strong data-testid="rope-unrotate-all">{formatCount(all)}</strong>{' '}
      for this token.
    </p>
  );
}
