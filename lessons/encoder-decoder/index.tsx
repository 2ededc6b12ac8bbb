import { useMemo } from 'react';
import './encoder-decoder.css';
import { matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { Tex } from '../../components/Tex';
import { D, TOY_DTYPE } from '../common/toyData';
import { useToyWeights, TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { CacheSchemes } from './CacheSchemes';
import { OutputsAgree } from './OutputsAgree';
import { ToyEncoder } from './ToyEncoder';
import { WhisperSection } from './WhisperTable';
import { DEFAULT_E, ENCODER_ROWS, compareCross, crossProjections } from './runs';

const PAPER = 'https://arxiv.org/abs/2503.05840';

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

export function EncoderDecoderLesson() {
  const { weights, set } = useToyWeights();
  const [enc, setEnc] = useLessonState('enc', encoderCodec, DEFAULT_E as number[][]);
  const f64 = useMemo(() => compareCross(weights, enc, 'float64'), [weights, enc]);
  const f32 = useMemo(() => compareCross(weights, enc, 'float32'), [weights, enc]);
  const projections = useMemo(() => crossProjections(weights, enc), [weights, enc]);
  /** The toy's caches as the float32 engine holds them (TOY_DTYPE). */
  const stored = TOY_DTYPE === 'float64' ? f64 : f32;

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
      <ToyEncoder weights={weights} set={set} enc={enc} setEnc={setEnc} projections={projections} />
      <CacheSchemes stored={stored} />
      <OutputsAgree f64={f64} f32={f32} />

      <WhisperSection />

      <h2>Appendix H: a hybrid</h2>
      <p>
        The paper’s Appendix H sketches a middle way. Layer 1 keeps its cross K-cache{' '}
        <Tex>{'K_1 = E\\,W_{K,1}'}</Tex>, which is as large as <Tex>{'E'}</Tex> when{' '}
        <Tex>{'e = d'}</Tex>. Since <Tex>{'E = K_1 W_{K,1}^{-1}'}</Tex>, every other layer can fold{' '}
        <Tex>{'W_{K,1}^{-1}'}</Tex> into its own weights,{' '}
        <Tex>{'K_j = K_1\\,(W_{K,1}^{-1} W_{K,j})'}</Tex> and{' '}
        <Tex>{'V_j = K_1\\,(W_{K,1}^{-1} W_{V,j})'}</Tex>: the same cache size as the E-cache, and
        layer 1 uses its keys without recomputing them.
      </p>
    </>
  );
}
