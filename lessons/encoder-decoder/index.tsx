import { useMemo, useState, type ReactNode } from 'react';
import './encoder-decoder.css';
import { ColumnHeads } from '../../components/ColumnHeads';
import { matrixCodec, numberCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { MatrixEditor } from '../../components/MatrixEditor';
import { MatrixView } from '../../components/MatrixView';
import { BatchSlider, clampStep } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import {
  comparePrinted,
  encoderDecoderCache,
  firstTokenTimes,
  paperWhisperTable,
  requireChip,
  requireModel,
  whisperModelIds,
  whisperTable,
  type EncoderDecoderRow,
} from '../../roofline';
import { D, TOY_DTYPE, tokenText } from '../common/toyData';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights, TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import {
  DECODER_IDS,
  DECODER_LAYERS,
  DEFAULT_E,
  ENCODER_ROWS,
  CROSS_VARIANTS,
  compareCross,
  crossProjections,
  type CrossComparison,
  type CrossVariant,
} from './runs';

const PAPER = 'https://arxiv.org/abs/2503.05840';
const FRAMES = Array.from({ length: ENCODER_ROWS }, (_, i) => `frame ${i + 1}`);
/** Batch slider: powers of two, 1 … 256. */
const BATCH_EXP = { min: 0, max: 8 };
const DEFAULT_BATCH_EXP = 6;
/** The paper prints the Whisper table at these batches. */
const PRINTED_BATCHES = [1, 64];
/** Time to first token: the largest Whisper on the H200 in fp16 (2 bytes per value). */
const TTFT_MODEL = requireModel('whisper-large');
const TTFT_CHIP = requireChip('nvidia-h200');
const TTFT_DTYPE = 'fp16';

/** The encoder output in the URL: p × d numbers within the toy model's range, else the default. */
const encoderCodec: UrlCodec<number[][]> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    if (!m || m.length !== ENCODER_ROWS || m.some((r) => r.length !== D)) return undefined;
    if (m.flat().some((x) => Math.abs(x) > TOY_MAX_ABS || (x !== 0 && Math.abs(x) < TOY_MIN_ABS)))
      return undefined;
    return m;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

/** A scheme's name and, in TeX, how it forms the values. */
const schemeName = (scheme: string, tex: string) => (
  <>
    {scheme}, <Tex>{tex}</Tex>
  </>
);
const VARIANT_NAMES: Record<CrossVariant, ReactNode> = {
  baseline: 'baseline',
  option1V: schemeName('option 1', 'V = K W_{KV}'),
  option1K: schemeName('option 1', '(sK)\\,W_{KV}'),
  option2V: schemeName('option 2', 'V = E W_V'),
  option2K: schemeName('option 2', '(sE)\\,W_V'),
};
const SLIM_VARIANTS = ['option1V', 'option1K', 'option2V', 'option2K'] as const;
/** One row of the cache table per scheme (both orders of a scheme cache the same). */
const CACHE_VARIANTS = [
  ['baseline', 'baseline'],
  ['option1V', 'option 1'],
  ['option2V', 'option 2'],
] as const;

const millions = (x: number) => `${formatNumber(x / 1e6, 3)}M`;
const times = (x: number) => `${formatNumber(x, 3)}×`;
const ms = (seconds: number) => `${formatNumber(seconds * 1e3, 3)} ms`;

export function EncoderDecoderLesson() {
  const { weights, set } = useToyWeights();
  const [enc, setEnc] = useLessonState('enc', encoderCodec, DEFAULT_E as number[][]);
  const [eRevealed, setERevealed] = useState(false);
  const f64 = useMemo(() => compareCross(weights, enc, 'float64'), [weights, enc]);
  const f32 = useMemo(() => compareCross(weights, enc, 'float32'), [weights, enc]);
  const projections = useMemo(() => crossProjections(weights, enc), [weights, enc]);
  /** The toy's caches as the float32 engine holds them (TOY_DTYPE). */
  const stored = TOY_DTYPE === 'float64' ? f64 : f32;
  const option2Values = stored.runs.option2V?.values ?? 0;
  const p = ENCODER_ROWS;
  const tokens = DECODER_IDS.map(tokenText);

  return (
    <>
      <p>
        Whisper, T5 and Chronos are <em>encoder–decoders</em>. An encoder reads the whole input at
        once (for Whisper, 30 s of audio as <Tex>{'p = 1500'}</Tex> frames); a decoder then writes
        text one token at a time. Each decoder layer attends twice: to the tokens written so far
        (self-attention, with the K-cache of the earlier lessons) and to the encoder’s output
        (cross-attention). <a href={PAPER}>The paper’s §4</a> shows that the cross-attention cache
        can shrink further than by half.
      </p>
      <h2>Three phases</h2>
      <ol>
        <li>
          <strong>Prompt</strong>: the encoder runs over all <Tex>{'p'}</Tex> inputs together. It
          has no causal mask: every frame may look at every other, later ones included.
        </li>
        <li>
          <strong>Cross</strong>: the encoder’s output <Tex>{'E'}</Tex> is projected, once, into the
          cross K and V of every decoder layer: the cross KV-cache.
        </li>
        <li>
          <strong>Generate</strong>: each new token runs self-attention over the decoder tokens so
          far and cross-attention over the <Tex>{'p'}</Tex> rows of its layer’s cross KV-cache.
        </li>
      </ol>
      <p>
        <Tex>{'E'}</Tex> is a matrix of <Tex>{'p'}</Tex> rows, one per input frame, each of the
        model width <Tex>{'d'}</Tex>. Decoder layer <Tex>{'j'}</Tex> (of <Tex>{'l'}</Tex>) has its
        own cross weights <Tex>{'W_{K,j}'}</Tex> and <Tex>{'W_{V,j}'}</Tex>, and caches
      </p>
      <Tex block>{'K_j = E\\,W_{K,j}, \\qquad V_j = E\\,W_{V,j}, \\qquad j = 1, \\dots, l'}</Tex>
      <p>
        That is <Tex>{'2 \\cdot p \\cdot d'}</Tex> values per layer, <Tex>{'2pdl'}</Tex> in all
        (with heads of total width <Tex>{'e = d'}</Tex>). Yet every one of them is a product of the
        same <Tex>{'p \\times d'}</Tex> matrix <Tex>{'E'}</Tex>.
      </p>

      <h2>A toy encoder–decoder</h2>
      <p>
        Here <Tex>{'d = 4'}</Tex>, <Tex>{'p = 3'}</Tex> encoder rows, and a decoder of{' '}
        {DECODER_LAYERS} layers with one head each. Decoder layer 1 uses the toy weights of the
        earlier lessons, layer 2 their transposes. A decoder layer here is its cross-attention plus
        the residual, <Tex>{'x \\leftarrow x + \\text{cross}_j(x)'}</Tex>; its self-attention is the
        slim attention of lessons 3–5 and is left out. The decoder reads “{tokens.join(' ')}”, one
        token per step. Edit <Tex>{'E'}</Tex> as if the encoder had heard something else:
      </p>
      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={<>Decoder layer 1’s cross weights; layer 2 uses their transposes.</>}
      />
      <MatrixEditor
        label="E"
        caption={
          <>
            encoder output <Tex>{'E'}</Tex> (<Tex>{'p \\times d'}</Tex>)
          </>
        }
        value={enc}
        onChange={setEnc}
        rowLabels={FRAMES}
        maxAbs={TOY_MAX_ABS}
        minAbs={TOY_MIN_ABS}
        highlight={(i, j) => enc[i][j] !== DEFAULT_E[i][j]}
      />
      <p>The baseline’s cross phase fills four caches, all computed from this E:</p>
      <div className="matrix-row">
        {projections.flatMap(({ k, v }, j) => [
          <MatrixView
            key={`k${j}`}
            label={`K${j + 1}`}
            caption={<Tex>{`K_${j + 1} = E\\,W_{K,${j + 1}}`}</Tex>}
            value={k}
            rowLabels={FRAMES}
          />,
          <MatrixView
            key={`v${j}`}
            label={`V${j + 1}`}
            caption={<Tex>{`V_${j + 1} = E\\,W_{V,${j + 1}}`}</Tex>}
            value={v}
            rowLabels={FRAMES}
          />,
        ])}
      </div>

      <h2>Three ways to cache (paper Table 6)</h2>
      <ul>
        <li>
          <strong>Baseline</strong>: every layer caches its cross K and V. Per token it reads them,
          and of the cross weights only <Tex>{'W_Q'}</Tex> and <Tex>{'W_O'}</Tex>.
        </li>
        <li>
          <strong>Option 1</strong>: every layer caches its cross K only and recomputes{' '}
          <Tex>{'V = K\\,W_{KV}'}</Tex> with <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>, as a slim
          self-attention does. Half the cache, half the cross-phase work; it reads{' '}
          <Tex>{'W_{KV}'}</Tex> per token.
        </li>
        <li>
          <strong>Option 2</strong>: cache <Tex>{'E'}</Tex> itself and let every layer recompute{' '}
          <Tex>{'K_j = E\\,W_{K,j}'}</Tex> and <Tex>{'V_j = E\\,W_{V,j}'}</Tex> (or{' '}
          <Tex>{'(sE)\\,W_{V,j}'}</Tex>, the probabilities <Tex>{'s'}</Tex> times E first) at every
          step. No cross phase at all, and no inverse needed; the price is that each layer now reads
          its cross <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex> for every token, since they are no
          longer applied once and for all in the cross phase.
        </li>
      </ul>
      <LessonCheckpoint
        id="e-cache-values"
        onRevealed={() => setERevealed(true)}
        question={
          <>
            In the cross phase the engine hands <Tex>{'E'}</Tex> to both decoder layers. How many
            values does option 2 keep in all (the baseline keeps{' '}
            {formatCount(stored.runs.baseline?.values ?? 0)})?
          </>
        }
        choices={[p * D, DECODER_LAYERS * p * D, 2 * DECODER_LAYERS * p * D].map((n) => ({
          label: formatCount(n),
          correct: n === option2Values,
        }))}
        explanation={
          <p>
            One copy of <Tex>{'E'}</Tex>: <Tex>{'p \\cdot d'}</Tex> = {p} · {D} ={' '}
            {formatCount(option2Values)} values, however many layers read it. The engine’s E-cache
            notices that every layer was handed the same tensor and stores it once.
          </p>
        }
      />
      {eRevealed ? (
        <CacheTable stored={stored} />
      ) : (
        <p className="small">
          The engine’s cache counts appear once the prediction above is answered.
        </p>
      )}

      <table className="diff-table cross-summary" aria-label="the three schemes side by side">
        <ColumnHeads columns={['per decoder layer', 'baseline', 'option 1', 'option 2']} />
        <tbody>
          <tr>
            <th scope="row">self-attention cache</th>
            <td>K and V</td>
            <td>K only</td>
            <td>K only</td>
          </tr>
          <tr>
            <th scope="row">cross-attention cache</th>
            <td>K and V</td>
            <td>K only</td>
            <td>none (E, shared)</td>
          </tr>
          <tr>
            <th scope="row">cross weights read per token</th>
            <td>
              <Tex>{'W_Q, W_O'}</Tex>
            </td>
            <td>
              <Tex>{'W_Q, W_{KV}, W_O'}</Tex>
            </td>
            <td>
              <Tex>{'W_Q, W_K, W_V, W_O'}</Tex>
            </td>
          </tr>
          <tr>
            <th scope="row">cross-phase work</th>
            <td>K and V</td>
            <td>K only</td>
            <td>none</td>
          </tr>
          <tr>
            <th scope="row">works with RoPE</th>
            <td>yes</td>
            <td>yes</td>
            <td>no</td>
          </tr>
        </tbody>
      </table>
      <p>
        The paper marks option 2 as unsuited to RoPE (lesson 6). Whisper adds its positions to the
        inputs and rotates nothing, so it loses nothing there.
      </p>

      <h2>The outputs agree</h2>
      <p>
        Each scheme runs the three decoder tokens through both layers on the engine’s CPU backend.
        max |Δ| of all decoder outputs against the baseline’s, in float64 and in float32:
      </p>
      {f64.refusal && (
        <div className="notice-error" role="alert">
          <p>
            Option 1 cannot run: {f64.refusal} Option 2 still runs, since it never inverts{' '}
            <Tex>{'W_K'}</Tex>.
          </p>
        </div>
      )}
      <table className="diff-table" aria-label="cross-attention schemes versus baseline">
        <ColumnHeads columns={['max |Δ| of the decoder outputs', 'float64', 'float32']} />
        <tbody>
          {SLIM_VARIANTS.map((v) => (
            <tr key={v}>
              <th scope="row">{VARIANT_NAMES[v]} vs baseline</th>
              <td data-testid={`cross-${v}-f64`}>{diffText(f64.maxDiff[v])}</td>
              <td data-testid={`cross-${v}-f32`}>{diffText(f32.maxDiff[v])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <MatrixView
        label="decoder outputs"
        caption={
          <>The last decoder token, “{tokens[tokens.length - 1]}”, after both layers (float64)</>
        }
        value={CROSS_VARIANTS.filter((v) => f64.runs[v]).map((v) => lastRow(f64, v))}
        rowLabels={CROSS_VARIANTS.filter((v) => f64.runs[v]).map(variantLabel)}
      />

      <WhisperSection />

      <h2>Appendix H: a hybrid</h2>
      <p>
        The paper’s Appendix H sketches a middle way. Layer 1 keeps its cross K-cache{' '}
        <Tex>{'K_1 = E\\,W_{K,1}'}</Tex>, which is as large as <Tex>{'E'}</Tex> when{' '}
        <Tex>{'e = d'}</Tex>. Since <Tex>{'E = K_1 W_{K,1}^{-1}'}</Tex>, every other layer can fold{' '}
        <Tex>{'W_{K,1}^{-1}'}</Tex> into its own weights,{' '}
        <Tex>{'K_j = K_1\\,(W_{K,1}^{-1} W_{K,j})'}</Tex> and{' '}
        <Tex>{'V_j = K_1\\,(W_{K,1}^{-1} W_{V,j})'}</Tex>: the same cache size as option 2, and
        layer 1 uses its keys without recomputing them.
      </p>
    </>
  );
}

function diffText(x: number | null): string {
  return x === null ? '—' : formatNumber(x, 3);
}

function variantLabel(v: CrossVariant): string {
  return {
    baseline: 'baseline',
    option1V: 'option 1, K W_KV',
    option1K: 'option 1, (sK) W_KV',
    option2V: 'option 2, E W_V',
    option2K: 'option 2, (sE) W_V',
  }[v];
}

function lastRow(c: CrossComparison, v: CrossVariant): number[] {
  const outputs = c.runs[v]?.outputs ?? [];
  return outputs[outputs.length - 1] ?? [];
}

/** What each scheme holds after the cross phase, as the engine reports it. */
function CacheTable({ stored }: { stored: CrossComparison }) {
  return (
    <table className="diff-table cross-cache-table" aria-label="toy cross caches">
      <ColumnHeads columns={['scheme', 'what is cached', 'values', <>bytes ({stored.dtype})</>]} />
      <tbody>
        {CACHE_VARIANTS.map(([v, name]) => {
          const run = stored.runs[v];
          return (
            <tr key={v}>
              <th scope="row">{name}</th>
              <td className="cross-cache-what">
                {run
                  ? run.caches.map((c) => (
                      <span key={c.name}>
                        {c.name} ({c.rows} × {c.cols})
                      </span>
                    ))
                  : 'not run: W_K has no inverse'}
              </td>
              <td data-testid={`cache-${v}-values`}>{run ? formatCount(run.values) : '—'}</td>
              <td data-testid={`cache-${v}-bytes`}>{run ? formatCount(run.bytes) : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// ------------------------------------------------------------------ Whisper (paper §4, Table 7)

type Printed = readonly string[];
interface WhisperRowSpec {
  label: ReactNode;
  key: string;
  value: (r: EncoderDecoderRow, i: number) => number;
  format: (x: number) => string;
  /** The paper's printed values (one per size) at this batch, if it prints this row there. */
  printed: (batch: number) => Printed | undefined;
}

const P = paperWhisperTable;
const at = (batch: number, b1: PrintedGroup, b64: PrintedGroup) =>
  batch === 1 ? b1 : batch === 64 ? b64 : undefined;
const cacheOf = (i: number) => encoderDecoderCache(requireModel(whisperModelIds[i]));

const SCHEMES = ['baseline', 'option1', 'option2'] as const;
type Scheme = (typeof SCHEMES)[number];
type PrintedGroup = Partial<Record<Scheme, Printed>>;
const SCHEME_LABEL: Record<Scheme, string> = {
  baseline: 'baseline',
  option1: 'option 1',
  option2: 'option 2',
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

const WHISPER_ROWS: WhisperRowSpec[] = [
  cacheRow('E-cache, p·d', 'eCache', P.eCache),
  cacheRow('cross KV-cache, 2·p·d·l', 'crossKv', P.crossKv),
  cacheRow('self KV-cache, 2·448·d·l', 'selfKv', P.selfKv),
  ...groupRows('cache', 'cache', () => P.cache),
  {
    label: 'option 2 cache savings',
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

function WhisperSection() {
  const [batchExp, setBatchExp] = useLessonState('batch', numberCodec, DEFAULT_BATCH_EXP);
  const [cacheRevealed, setCacheRevealed] = useState(false);
  const [ttftRevealed, setTtftRevealed] = useState(false);
  const b = clampStep(batchExp, BATCH_EXP.min, BATCH_EXP.max);
  const batch = 2 ** b;
  const rows = useMemo(() => whisperTable(batch), [batch]);
  const tinyModel = requireModel(whisperModelIds[0]);
  const tiny = encoderDecoderCache(tinyModel);
  const [pW, nW] = [tinyModel.encoderLength ?? 0, tinyModel.decoderLength ?? 0];
  const savings = tiny.baseline / tiny.option2;
  const savingsChoices = [2, savings / 2, savings, 2 * savings];
  const ttft = firstTokenTimes(TTFT_MODEL, TTFT_CHIP, TTFT_DTYPE, { batch });
  const ttftChoices = [
    { label: 'Yes: about twice as fast', correct: ttft.speedup.option2 >= 1.5 },
    {
      label: 'Faster, but far from twice: the prompt phase stays',
      correct: ttft.speedup.option2 > 1 && ttft.speedup.option2 < 1.5,
    },
    { label: 'No faster at all', correct: ttft.speedup.option2 <= 1 },
  ];
  const printedHere = PRINTED_BATCHES.includes(batch);

  return (
    <>
      <h2>Whisper</h2>
      <p>
        The paper’s Table 7 works this out for the five Whisper sizes: <Tex>{'p = 1500'}</Tex>{' '}
        encoder frames, up to 448 decoder tokens, a vocabulary of 51,865. In option 2 the decoder
        keeps its self K-cache (half the self KV-cache, as any slim decoder) and the E-cache; the
        E-cache is <Tex>{'p \\cdot d'}</Tex> values, at most{' '}
        {millions(encoderDecoderCache(requireModel('whisper-large')).eCache)}, small enough for the
        chip’s on-chip memory, so the paper lists it apart and counts only the self K-cache as
        option 2’s cache.
      </p>
      <LessonCheckpoint
        id="whisper-cache"
        onRevealed={() => setCacheRevealed(true)}
        question={<>How much smaller is Whisper’s option 2 cache than the baseline’s?</>}
        choices={savingsChoices.map((x) => ({ label: times(x), correct: x === savings }))}
        explanation={
          <p>
            The baseline holds <Tex>{'2pdl + 2ndl'}</Tex> values per sequence (cross and self
            KV-caches), option 2 only <Tex>{'ndl'}</Tex>: the ratio is <Tex>{'(2p + 2n)/n'}</Tex> =
            ({formatCount(2 * pW)} + {formatCount(2 * nW)})/
            {formatCount(nW)} = {times(savings)} for every size; the paper prints{' '}
            {P.option2Savings[0]}. The cross KV-cache, {formatNumber(pW / nW, 2)} times larger than
            the self KV-cache, is gone.
          </p>
        }
      />
      <BatchSlider range={BATCH_EXP} exponent={b} onChange={setBatchExp} />
      <p>
        Each decode step reads every decoder weight once for the whole batch, and every sequence’s
        own cache: values read per token = cache + weights / B. Speedups are those reads, baseline
        over option.{' '}
        {printedHere
          ? `At B = ${batch} the paper prints this table; its values are shown under ours.`
          : 'The paper prints this table at B = 1 and B = 64; move the slider there to compare.'}
      </p>
      {cacheRevealed ? (
        <table className="diff-table whisper-table" aria-label="Whisper table">
          <thead>
            <tr>
              <th scope="col">values (M = million)</th>
              {rows.map((r) => (
                <th scope="col" key={r.model}>
                  {requireModel(r.model).name.replace('Whisper-', '')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WHISPER_ROWS.map((spec) => {
              const printed = spec.printed(batch);
              return (
                <tr key={spec.key}>
                  <th scope="row">{spec.label}</th>
                  {rows.map((r, i) => {
                    const value = spec.value(r, i);
                    const paper = printed && comparePrinted(value, printed[i]);
                    return (
                      <td key={r.model} data-testid={`whisper-${spec.key}-${i}`}>
                        {spec.format(value)}
                        {paper && (
                          <span
                            className={paper.matches ? 'whisper-paper' : 'whisper-paper bad'}
                            data-testid={`whisper-paper-${spec.key}-${i}`}
                          >
                            paper {paper.printed}
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="small">The Whisper table appears once the prediction above is answered.</p>
      )}
      <p>
        At B = 1 the weights dominate what a step reads and option 2 even reads more weights, so the
        gain is small; as B grows the caches dominate and the speedup climbs toward the cache ratio.
      </p>

      <h2>Time to first token</h2>
      <p>
        Before the first token, the prompt phase runs the encoder and the cross phase projects E for
        every layer. Option 1 computes only the cross K there, half the work; option 2 skips the
        cross phase entirely. The cost model times each phase on the roofline, as the larger of
        compute time and memory time, for {TTFT_MODEL.name} on the {TTFT_CHIP.name} in {TTFT_DTYPE},
        at the batch above (B = {batch}).
      </p>
      <LessonCheckpoint
        id="first-token"
        onRevealed={() => setTtftRevealed(true)}
        question={
          <>
            Option 2 removes the cross phase. Does {TTFT_MODEL.name}’s first token (B = {batch})
            come twice as fast?
          </>
        }
        choices={ttftChoices}
        explanation={
          <p>
            The prompt phase, the encoder over 1500 frames with no causal mask, is the same for all
            three schemes and takes {ms(ttft.prompt.seconds)}; the cross phase it saves is{' '}
            {ms(ttft.cross.baseline.seconds)}. Option 2’s first token comes{' '}
            {times(ttft.speedup.option2)} sooner.
          </p>
        }
      />
      {ttftRevealed ? (
        <table className="diff-table" aria-label="time to first token">
          <ColumnHeads columns={['phase', 'baseline', 'option 1', 'option 2']} />
          <tbody>
            <tr>
              <th scope="row">prompt (encoder)</th>
              {(['baseline', 'option1', 'option2'] as const).map((s) => (
                <td key={s} data-testid={`ttft-prompt-${s}`}>
                  {ms(ttft.prompt.seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">cross</th>
              {(['baseline', 'option1', 'option2'] as const).map((s) => (
                <td key={s} data-testid={`ttft-cross-${s}`}>
                  {ttft.cross[s].bound === 'none' ? 'none' : ms(ttft.cross[s].seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">first decode step</th>
              {(['baseline', 'option1', 'option2'] as const).map((s) => (
                <td key={s} data-testid={`ttft-step-${s}`}>
                  {ms(ttft.firstStep[s].seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">time to first token</th>
              {(['baseline', 'option1', 'option2'] as const).map((s) => (
                <td key={s} data-testid={`ttft-total-${s}`}>
                  <strong>{ms(ttft.total[s])}</strong>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      ) : (
        <p className="small">The phase times appear once the prediction above is answered.</p>
      )}
    </>
  );
}
