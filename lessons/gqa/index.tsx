import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import * as Plot from '@observablehq/plot';
import {
  applicability,
  compressionFactor,
  compressionSaving,
  keyWidth,
  kvCacheWidth,
  models,
  paperAppendixG,
  requireModel,
  type AttentionShape,
  type Model,
} from '../../roofline';
import type { GroupedAttentionScheme } from '../../engine';
import { ColumnHeads } from '../../components/ColumnHeads';
import { enumCodec, matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { MatrixEditor } from '../../components/MatrixEditor';
import { MatrixView } from '../../components/MatrixView';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { plotStyle, seriesColors, tickFormat, tipOptions } from '../../components/charts/marks';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { D, tokenText, type Mat } from '../common/toyData';
import { TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import {
  GQA_IDS,
  GQA_PROMPT,
  GQA_SCHEMES,
  GQA_SHAPES,
  GQA_SHAPE_IDS,
  compareGqa,
  dWideKey,
  defaultKeyValue,
  fitsShape,
  gqaWeights,
  runScheme,
  type GqaShapeId,
  type SchemeRun,
} from './toy';
import './gqa.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';

const shapeCodec = enumCodec(GQA_SHAPE_IDS);
const FILTERS = ['all', 'applicable', 'not'] as const;
type Filter = (typeof FILTERS)[number];
const filterCodec = enumCodec(FILTERS);
const FILTER_LABELS: Record<Filter, string> = {
  all: 'all models',
  applicable: 'slim helps',
  not: 'no gain',
};

/** A W_K or W_V in the URL: any matrix of numbers within the toy range (its shape is checked later). */
const toyRectCodec: UrlCodec<Mat> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    if (!m || m.length === 0) return undefined;
    const bad = m
      .flat()
      .some((x) => Math.abs(x) > TOY_MAX_ABS || (x !== 0 && Math.abs(x) < TOY_MIN_ABS));
    return bad ? undefined : m;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

const SCHEME_NAMES: Record<GroupedAttentionScheme, string> = {
  kv: 'standard KV-cache (K and V)',
  'k-cache': 'slim K-cache, V = K·W_KV',
  'd-wide-cache': 'd-wide cache K* = X·W_K*',
};

const SHAPE_LABELS: Record<GqaShapeId, string> = {
  mqa: 'MQA, d_k = 2',
  'mqa-wide': 'MQA, d_k = 3',
  mha: 'MHA, d_k = 2',
};

/** A count inside TeX: 4{,}096 (a bare comma would add space). */
const tc = (n: number) => formatCount(n).replace(/,/g, '{,}');
const percent = (x: number) => `${formatNumber(100 * x, 3)}%`;
const ratio = (x: number) => `${formatNumber(x, 3)}`;

/** The last output row of a run (the newest token). */
function lastRow(run: SchemeRun): number[] {
  return run.ok ? run.outputs[run.outputs.length - 1] : [];
}

/** The toy shape as a cost-model attention shape (one layer). */
function toyShape(id: GqaShapeId): AttentionShape {
  const s = GQA_SHAPES[id];
  return { d: D, layers: 1, heads: s.heads, kvHeads: s.kvHeads, headDim: s.headDim };
}

export function GqaLesson() {
  return (
    <>
      <p>
        Slim attention rebuilds V from K because, in multi-head attention (MHA), K = X·W_K with a
        square, invertible <Tex>{'W_K'}</Tex>. Most recent decoders do not use MHA: they use{' '}
        <strong>grouped-query attention</strong> (GQA) or <strong>multi-query attention</strong>{' '}
        (MQA), which already shrink the cache in another way. This lesson asks when slim attention
        still helps them (<a href={PAPER}>the paper’s Appendix G</a>), and how it relates to
        DeepSeek’s multi-head latent attention (MLA).
      </p>
      <h2>Fewer key/value heads</h2>
      <p>
        A model of width <Tex>{'d'}</Tex> (the length of each token’s vector <Tex>{'x'}</Tex>) has{' '}
        <Tex>{'h'}</Tex> query heads of width <Tex>{'d_k'}</Tex>. In MHA every query head has its
        own key head and value head. In GQA, <Tex>{'h_{kv}'}</Tex> key/value heads are shared: each
        serves a group of <Tex>{'g = h / h_{kv}'}</Tex> query heads. MQA is the extreme,{' '}
        <Tex>{'h_{kv} = 1'}</Tex>; MHA is the other end, <Tex>{'h_{kv} = h'}</Tex>. The cache keeps
        only the shared heads, so each token adds
      </p>
      <Tex block>{'d_{cache} = h_{kv}\\,(d_k + d_v)'}</Tex>
      <p>
        values per layer (<Tex>{'d_v'}</Tex> is the value head width, usually <Tex>{'d_k'}</Tex>).
        Compare it with <Tex>{'d'}</Tex>, the width of the token vector itself: the{' '}
        <strong>compression factor</strong>
      </p>
      <Tex block>{'c = \\frac{d_{cache}}{d}'}</Tex>
      <p>
        says how many times wider the KV-cache row is than the token it came from. For square MHA,{' '}
        <Tex>{'h\\,d_k = d'}</Tex> and <Tex>{'c = 2'}</Tex>: slim attention’s factor 2.
      </p>
      <ToySection />
      <GemmaSection />
      <CatalogSection />
      <MlaSection />
    </>
  );
}

function ToySection() {
  const [shapeId, setShapeId] = useLessonState('shape', shapeCodec, 'mqa');
  const defaults = defaultKeyValue(shapeId);
  const [wKRaw, setWK] = useLessonState('gk', toyRectCodec, defaults.wK);
  const [wVRaw, setWV] = useLessonState('gv', toyRectCodec, defaults.wV);
  const wK = fitsShape(shapeId, wKRaw) ? wKRaw : defaults.wK;
  const wV = fitsShape(shapeId, wVRaw) ? wVRaw : defaults.wV;
  const [revealed, setRevealed] = useState(false);
  const s = GQA_SHAPES[shapeId];
  const e = s.kvHeads * s.headDim;
  const shape = toyShape(shapeId);
  const wideShape = toyShape('mqa-wide');

  const weights = useMemo(() => gqaWeights(shapeId, wK, wV), [shapeId, wK, wV]);
  const f64 = useMemo(() => compareGqa(weights, 'float64'), [weights]);
  const f32 = useMemo(() => compareGqa(weights, 'float32'), [weights]);
  const star = useMemo(() => dWideKey(wK, wV), [wK, wV]);
  // The checkpoint asks about the first shape with its default weights, whatever is selected.
  const mqaRefused = useMemo(() => {
    const d = defaultKeyValue('mqa');
    return !runScheme(gqaWeights('mqa', d.wK, d.wV), 'k-cache', 'float64').ok;
  }, []);
  const tokens = GQA_IDS.map(tokenText);
  const working = GQA_SCHEMES.filter((scheme) => f64.runs[scheme].ok);
  const setShape = (id: GqaShapeId) => {
    const next = defaultKeyValue(id);
    setShapeId(id);
    setWK(next.wK);
    setWV(next.wV);
  };

  return (
    <>
      <h2>A toy: two query heads, d = 4</h2>
      <p>
        The toy model of the earlier lessons has <Tex>{'d = 4'}</Tex>. Give it two query heads that
        share one key/value head (MQA) of width <Tex>{'d_k = 2'}</Tex>: K = <Tex>{'X W_K'}</Tex>{' '}
        with <Tex>{'W_K'}</Tex> of size <Tex>{'d \\times h_{kv} d_k = 4 \\times 2'}</Tex>, and V the
        same. Pick a shape; the key width is <Tex>{'e = h_{kv} d_k'}</Tex>.
      </p>
      <fieldset className="gqa-shapes">
        <legend className="small">toy shape (d = 4, h = 2)</legend>
        {GQA_SHAPE_IDS.map((id) => (
          <label key={id}>
            <input
              type="radio"
              name="gqa-shape"
              checked={shapeId === id}
              onChange={() => setShape(id)}
            />{' '}
            {SHAPE_LABELS[id]} (h_kv = {GQA_SHAPES[id].kvHeads}, e ={' '}
            {GQA_SHAPES[id].kvHeads * GQA_SHAPES[id].headDim})
          </label>
        ))}
      </fieldset>
      <div className="matrix-row">
        <MatrixEditor
          label="W_K"
          caption={<Tex>{`W_K\\ (${D} \\times ${e})`}</Tex>}
          value={wK}
          onChange={setWK}
          maxAbs={TOY_MAX_ABS}
          minAbs={TOY_MIN_ABS}
        />
        <MatrixEditor
          label="W_V"
          caption={<Tex>{`W_V\\ (${D} \\times ${e})`}</Tex>}
          value={wV}
          onChange={setWV}
          maxAbs={TOY_MAX_ABS}
          minAbs={TOY_MIN_ABS}
        />
      </div>
      <p className="small">
        W_Q and W_O are the toy model’s, cut to {s.heads} heads of width {s.headDim}. The run: “
        {tokens.join(' ')}”, the first {GQA_PROMPT} tokens as one prefill, then one decode step per
        token, on the engine’s grouped-query attention layer.
      </p>
      <LessonCheckpoint
        id="gqa-toy"
        onRevealed={() => setRevealed(true)}
        question={
          <>
            First shape: two query heads share one key/value head of width 2, so each cached key row
            has 2 numbers while <Tex>{'x'}</Tex> has 4. Can the engine rebuild V from the cached K,
            as slim attention does for MHA?
          </>
        }
        choices={[
          { label: 'Yes: V = K·W_KV with W_KV = W_K⁻¹·W_V, as in MHA', correct: !mqaRefused },
          {
            label:
              'No: 2 numbers per token cannot give back the 4 numbers of x, so there is no W_KV',
            correct: mqaRefused,
          },
        ]}
        explanation={
          <p>
            <Tex>{'W_K'}</Tex> is <Tex>{'4 \\times 2'}</Tex>: it maps the 4-dimensional{' '}
            <Tex>{'x'}</Tex> onto a plane, and many different <Tex>{'x'}</Tex> land on the same key.
            No matrix can undo that, so V (which depends on all of <Tex>{'x'}</Tex>) is not a
            function of K. The engine refuses to form <Tex>{'W_{KV}'}</Tex>; with the first shape
            selected, its message is in the table below.
          </p>
        }
      />
      {revealed ? (
        <>
          <h3>A d-wide cache instead</h3>
          <p>
            Slim attention needs a cached row from which <Tex>{'x'}</Tex> can be recovered, so the
            row must have at least <Tex>{'d'}</Tex> numbers. Appendix G’s answer: cache{' '}
            <Tex>{'K^* = X W_K^*'}</Tex> with a square, invertible <Tex>{'d \\times d'}</Tex> matrix{' '}
            <Tex>{'W_K^*'}</Tex>, and rebuild both <Tex>{'K = K^* (W_K^{*-1} W_K)'}</Tex> and{' '}
            <Tex>{'V = K^* (W_K^{*-1} W_V)'}</Tex> at every step. One simple <Tex>{'W_K^*'}</Tex>{' '}
            (the engine’s): the first <Tex>{'d'}</Tex> columns of <Tex>{'[W_K \\mid W_V]'}</Tex>.
            Then the cache keeps K itself plus the first <Tex>{'d - e'}</Tex> columns of V, and only
            the rest of V is recomputed. That row has <Tex>{'d'}</Tex> numbers instead of{' '}
            <Tex>{'d_{cache}'}</Tex>: it is smaller only when <Tex>{'d < d_{cache}'}</Tex>, that is{' '}
            <Tex>{'c > 1'}</Tex>, and it saves the share <Tex>{'1 - 1/c'}</Tex> of the cache.
          </p>
          {'matrix' in star ? (
            <MatrixView
              label="W_K star"
              caption={
                <>
                  <Tex>{'W_K^*'}</Tex> for this shape (first {D} columns of [W_K | W_V])
                </>
              }
              value={star.matrix}
            />
          ) : (
            <p className="small">
              For this shape the engine forms no <Tex>{'W_K^*'}</Tex>: <span>{star.message}</span>
            </p>
          )}
          <dl className="numbers">
            <div>
              <dt>key width e = h_kv·d_k</dt>
              <dd data-testid="toy-e">{keyWidth(shape)}</dd>
            </div>
            <div>
              <dt>d_cache = h_kv·(d_k + d_v)</dt>
              <dd data-testid="toy-dcache">{kvCacheWidth(shape)}</dd>
            </div>
            <div>
              <dt>c = d_cache / d</dt>
              <dd data-testid="toy-c">{ratio(compressionFactor(shape))}</dd>
            </div>
            <div>
              <dt>d-wide cache saves</dt>
              <dd data-testid="toy-saving">{percent(compressionSaving(shape))}</dd>
            </div>
          </dl>
          <table className="diff-table gqa-runs" aria-label="toy schemes run by the engine">
            <ColumnHeads
              columns={[
                'cache scheme',
                'values cached per token',
                'max |Δ| vs standard, float64',
                'float32',
              ]}
            />
            <tbody>
              {GQA_SCHEMES.map((scheme) => {
                const r64 = f64.runs[scheme];
                const r32 = f32.runs[scheme];
                return (
                  <tr key={scheme} data-testid={`toy-run-${scheme}`}>
                    <th scope="row">{SCHEME_NAMES[scheme]}</th>
                    {r64.ok ? (
                      <>
                        <td data-testid={`toy-values-${scheme}`}>
                          {formatNumber(r64.valuesPerToken)}
                        </td>
                        <td data-testid={`toy-diff64-${scheme}`}>
                          {scheme === 'kv' ? '—' : formatNumber(f64.maxDiff[scheme] ?? NaN, 3)}
                        </td>
                        <td data-testid={`toy-diff32-${scheme}`}>
                          {scheme === 'kv'
                            ? '—'
                            : r32.ok
                              ? formatNumber(f32.maxDiff[scheme] ?? NaN, 3)
                              : r32.message}
                        </td>
                      </>
                    ) : (
                      <td colSpan={3} className="gqa-refusal" data-testid={`toy-refusal-${scheme}`}>
                        refused: {r64.message}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <MatrixView
            label="toy outputs"
            caption={<>Output of “{tokens[tokens.length - 1]}” per working scheme (float64)</>}
            value={working.map((scheme) => lastRow(f64.runs[scheme]))}
            rowLabels={working.map((scheme) => SCHEME_NAMES[scheme])}
          />
          <p>
            Try the shapes. With <Tex>{`d_k = ${tc(GQA_SHAPES['mqa-wide'].headDim)}`}</Tex> the
            K-cache is still refused ({keyWidth(wideShape)} numbers cannot give back {D}), but{' '}
            <Tex>{`d_{cache} = ${tc(kvCacheWidth(wideShape))}`}</Tex> &gt; <Tex>{'d'}</Tex>: the
            d-wide cache holds {D} values per token instead of {kvCacheWidth(wideShape)} and the
            outputs match the standard run. With <Tex>{`d_k = ${tc(GQA_SHAPES.mqa.headDim)}`}</Tex>{' '}
            MQA, <Tex>{`d_{cache} = ${tc(kvCacheWidth(toyShape('mqa')))} = d`}</Tex>: there is
            nothing to save. With MHA, <Tex>{'W_K'}</Tex> is square: the K-cache works, and it is
            itself a d-wide cache.
          </p>
        </>
      ) : (
        <p className="small">
          The d-wide cache and the engine’s runs of the three cache schemes appear once the
          prediction above is answered.
        </p>
      )}
    </>
  );
}

function GemmaSection() {
  const [revealed, setRevealed] = useState(false);
  const rows = useMemo(() => paperAppendixG(models), []);
  const [codegemma, gemma] = rows;
  const gemmaSaving = compressionSaving(gemma.model);
  const gemmaE = keyWidth(gemma.model);
  const g = gemma.model;
  const cg = codegemma.model;
  return (
    <>
      <h2>Two models from Appendix G</h2>
      <p>
        {cg.name} is MHA with wide heads: <Tex>{`h = ${tc(cg.heads)}`}</Tex>,{' '}
        <Tex>{`d_k = ${tc(cg.headDim)}`}</Tex>, so <Tex>{`e = h\\,d_k = ${tc(keyWidth(cg))}`}</Tex>{' '}
        &gt; <Tex>{`d = ${tc(cg.d)}`}</Tex> and <Tex>{'c = 2e/d ='}</Tex>{' '}
        <strong data-testid="codegemma-c">{codegemma.compression.computedText}</strong> (the paper
        prints {codegemma.compression.printed}). A d-wide cache saves{' '}
        {percent(compressionSaving(cg))} of its KV-cache, more than the K-cache’s half.
      </p>
      <p>
        {g.name} uses GQA: <Tex>{`h = ${tc(g.heads)}`}</Tex> query heads share{' '}
        <Tex>{`h_{kv} = ${tc(g.kvHeads)}`}</Tex> key/value heads of width{' '}
        <Tex>{`d_k = d_v = ${tc(g.headDim)}`}</Tex>, and <Tex>{`d = ${tc(g.d)}`}</Tex>. Its keys are{' '}
        <Tex>{`e = ${tc(gemmaE)}`}</Tex> wide, narrower than <Tex>{'d'}</Tex>: the K-cache is
        impossible, as in the toy’s first two shapes.
      </p>
      <LessonCheckpoint
        id="gemma2-saving"
        onRevealed={() => setRevealed(true)}
        question={<>How much of {g.name}’s KV-cache can a d-wide cache save?</>}
        choices={[
          { label: 'Half, as for MHA', correct: Math.abs(gemmaSaving - 0.5) < 1e-9 },
          { label: 'Nothing: its keys are narrower than d', correct: gemmaSaving === 0 },
          {
            label: 'A little: about one eighth',
            correct: gemmaSaving > 0.1 && gemmaSaving < 0.15,
          },
        ]}
        explanation={
          <p>
            <Tex>{`d_{cache} = 2 \\cdot ${tc(gemmaE)} = ${tc(kvCacheWidth(g))}`}</Tex> is just above{' '}
            <Tex>{`d = ${tc(g.d)}`}</Tex>, so <Tex>{'c'}</Tex> is just above 1: the d-wide cache
            keeps {formatCount(g.d)} of every {formatCount(kvCacheWidth(g))} values.
          </p>
        }
      />
      {revealed ? (
        <>
          <dl className="numbers">
            <div>
              <dt>{g.name}: c = d_cache / d</dt>
              <dd data-testid="gemma-c">{gemma.compression.computedText}</dd>
            </div>
            <div>
              <dt>the paper prints</dt>
              <dd>{gemma.compression.printed}</dd>
            </div>
            <div>
              <dt>cache saved, 1 − 1/c</dt>
              <dd data-testid="gemma-saving">{percent(gemmaSaving)}</dd>
            </div>
            <div>
              <dt>d-wide cache, share of standard (1/c)</dt>
              <dd data-testid="gemma-share">{percent(1 - gemmaSaving)}</dd>
            </div>
          </dl>
          <p>
            The trick in plain words: {g.name} caches {formatCount(gemmaE)} key numbers and{' '}
            {formatCount(gemmaE)} value numbers per token and layer. Because together they are more
            than the {formatCount(g.d)} numbers of the token’s input, it is cheaper to store a{' '}
            {formatCount(g.d)}-number row from which both can be recomputed: the{' '}
            {formatCount(gemmaE)} keys plus {formatCount(g.d - gemmaE)} of the values, with a{' '}
            {formatCount(g.d)} × {formatCount(g.d)} matrix <Tex>{'W_K^*'}</Tex> that makes the row
            invertible. The price is compute: every step multiplies the whole cached row back into K
            and V. {g.name} uses RoPE, so the rebuilt K is rotated after it is rebuilt (lesson
            “RoPE”).{' '}
            <Link to={`/explorer?model=${g.id}`}>Open {g.name} in the roofline explorer</Link> to
            see what the saving does to memory and speed on a chip.
          </p>
        </>
      ) : (
        <p className="small">{g.name}’s numbers appear once the prediction above is answered.</p>
      )}
    </>
  );
}

interface CatalogRow {
  model: Model;
  c: number;
  dCache: number;
  applicable: boolean;
  factor: number;
}

function CatalogSection() {
  const [revealed, setRevealed] = useState(false);
  const [filter, setFilter] = useLessonState('filter', filterCodec, 'all');
  const llama = requireModel('llama-3-8b');
  const llamaVerdict = applicability(llama);
  const all: CatalogRow[] = useMemo(
    () =>
      models
        .map((model) => {
          const verdict = applicability(model);
          return {
            model,
            c: compressionFactor(model),
            dCache: kvCacheWidth(model),
            applicable: verdict.applicable,
            factor: verdict.factor,
          };
        })
        // Largest c first (the MHA models, c ≥ 2, lead); ties by name.
        .sort((a, b) => b.c - a.c || a.model.name.localeCompare(b.model.name)),
    [],
  );
  const rows = all.filter(
    (r) => filter === 'all' || (filter === 'applicable' ? r.applicable : !r.applicable),
  );
  const options = useMemo(() => catalogChart(rows), [rows]);
  return (
    <>
      <h2>The catalog, sorted by c</h2>
      <LessonCheckpoint
        id="llama3-shrink"
        onRevealed={() => setRevealed(true)}
        question={
          <>
            {llama.name} has <Tex>{`h = ${tc(llama.heads)}`}</Tex>,{' '}
            <Tex>{`h_{kv} = ${tc(llama.kvHeads)}`}</Tex>,{' '}
            <Tex>{`d_k = d_v = ${tc(llama.headDim)}`}</Tex> and <Tex>{`d = ${tc(llama.d)}`}</Tex>.
            Does slim attention shrink its cache?
          </>
        }
        choices={[
          { label: 'Yes, by half, like every model', correct: false },
          {
            label: 'Yes, with a d-wide cache, by a little',
            correct: llamaVerdict.applicable && llamaVerdict.factor < 2,
          },
          {
            label: 'No: its KV-cache row is already narrower than d',
            correct: !llamaVerdict.applicable,
          },
        ]}
        explanation={<p>{llamaVerdict.reason}</p>}
      />
      {revealed ? (
        <>
          <fieldset className="gqa-filter">
            <legend className="small">show</legend>
            {FILTERS.map((f) => (
              <label key={f}>
                <input
                  type="radio"
                  name="gqa-filter"
                  checked={filter === f}
                  onChange={() => setFilter(f)}
                />{' '}
                {FILTER_LABELS[f]}
              </label>
            ))}
          </fieldset>
          <p data-testid="catalog-count">
            {rows.length} of {all.length} catalog models. MHA models sit at the top with{' '}
            <Tex>{'c \\ge 2'}</Tex>; the GQA and MQA models sit at the bottom, most of them below{' '}
            <Tex>{'c = 1'}</Tex>, where slim attention gives nothing.
          </p>
          {rows.length > 0 && (
            <PlotFigure
              options={options}
              ariaLabel="catalog models by compression factor c"
              className="gqa-chart"
            />
          )}
          <table className="diff-table gqa-catalog" aria-label="catalog models sorted by c">
            <ColumnHeads
              columns={[
                'model',
                'attention',
                'd',
                'h',
                'h_kv',
                'd_k',
                'd_cache',
                'c',
                'slim helps?',
              ]}
            />
            <tbody>
              {rows.map((r) => (
                <tr key={r.model.id} data-testid={`catalog-${r.model.id}`}>
                  <th scope="row">{r.model.name}</th>
                  <td>{r.model.attention}</td>
                  <td>{formatCount(r.model.d)}</td>
                  <td>{r.model.heads}</td>
                  <td>{r.model.kvHeads}</td>
                  <td>{r.model.headDim}</td>
                  <td>{formatCount(r.dCache)}</td>
                  <td data-testid={`catalog-c-${r.model.id}`}>{formatNumber(r.c, 3)}</td>
                  <td>{r.applicable ? `yes, ${formatNumber(r.factor, 3)}x` : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small">
            “slim helps” is the explorer’s verdict: the best cache reduction among the schemes that
            work for the model (for encoder–decoders it can exceed c, paper §4).{' '}
            <Link to={`/explorer?model=${llama.id}`}>Open {llama.name} in the explorer</Link>.
          </p>
        </>
      ) : (
        <p className="small">The catalog appears once the prediction above is answered.</p>
      )}
    </>
  );
}

/** Dots of c per model on a log axis, c = 1 marked; blue where slim helps, red where not. */
function catalogChart(rows: readonly CatalogRow[]): Plot.PlotOptions {
  const cs = rows.map((r) => r.c);
  const lo = Math.min(0.02, ...cs) * 0.8;
  const hi = Math.max(2, ...cs) * 1.25;
  return {
    style: plotStyle,
    height: 60 + 16 * rows.length,
    marginLeft: 170,
    marginBottom: 40,
    marginRight: 20,
    x: {
      type: 'log',
      domain: [lo, hi],
      grid: true,
      label: 'compression factor c = d_cache / d →',
      tickFormat: tickFormat('count'),
    },
    y: { domain: rows.map((r) => r.model.name), label: null },
    marks: [
      Plot.ruleX([1], { stroke: 'currentColor', strokeDasharray: '6 4' }),
      Plot.dot(rows as CatalogRow[], {
        x: 'c',
        y: (r: CatalogRow) => r.model.name,
        r: 4,
        fill: (r: CatalogRow) => (r.applicable ? seriesColors.slim : seriesColors.kv),
        title: (r: CatalogRow) =>
          `${r.model.name} (${r.model.attention}): c = ${formatNumber(r.c, 3)}, ` +
          (r.applicable ? 'slim attention helps.' : 'no gain from slim attention.'),
        tip: tipOptions,
      }),
    ],
  };
}

function MlaSection() {
  return (
    <>
      <h2>DeepSeek’s MLA</h2>
      <p>
        DeepSeek-V2 and V3 use multi-head latent attention (MLA): each token is compressed to a
        short latent vector, only that latent is cached, and every head’s keys and values are made
        from it by learned up-projection matrices. The latent is much narrower than <Tex>{'d'}</Tex>
        , so MLA’s cache can be smaller than anything slim attention can reach, whose cached row is
        never narrower than <Tex>{'d'}</Tex>.
      </p>
      <p>
        The difference is when it happens. MLA’s bottleneck must be there during training: an
        existing MHA or GQA model cannot be turned into MLA exactly. Slim attention is an identity
        applied after the fact: it changes no weight’s meaning, needs no training and gives the same
        outputs (Appendix A names MLA as related work). In both, a cached row is turned back into
        keys and values by a fixed matrix product: slim’s <Tex>{'K^* = X W_K^*'}</Tex> is a “latent”
        of width <Tex>{'d'}</Tex> whose up-projections <Tex>{'W_K^{*-1} W_K'}</Tex> and{' '}
        <Tex>{'W_K^{*-1} W_V'}</Tex> are computed, not learned. MLA folds its key up-projection into
        the queries, as slim’s X-cache computes scores with{' '}
        <Tex>{'(x\\,W_{Q,i} W_{K,i}^\\top)\\,X^\\top'}</Tex> (paper §3); both tricks break when RoPE
        sits between the projection and the dot product, which is why MLA carries a separate small
        rotated key.
      </p>
      <p>
        So the ideas are compatible rather than competing: slim attention is for the many trained
        MHA models (and the few GQA ones with <Tex>{'c > 1'}</Tex>), MLA for models designed with a
        latent cache from the start. Slim attention also combines with FlashAttention, paged caches
        and cache quantization (Appendix A); a quantized cache’s saving multiplies slim’s.
      </p>
    </>
  );
}
