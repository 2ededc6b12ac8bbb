import { Tex } from '../../components/Tex';
import { MatrixEditor } from '../../components/MatrixEditor';
import { MatrixView } from '../../components/MatrixView';
import { tokenText, type Mat } from '../common/toyData';
import { WeightsPanel, type WeightsPanelProps } from '../common/WeightsPanel';
import { TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { DECODER_IDS, DECODER_LAYERS, DEFAULT_E, ENCODER_ROWS } from './runs';
import { LessonLink } from '../common/LessonLink';

const FRAMES = Array.from({ length: ENCODER_ROWS }, (_, i) => `frame ${i + 1}`);

export interface ToyEncoderProps extends Pick<WeightsPanelProps, 'weights' | 'set'> {
  enc: Mat;
  setEnc: (m: Mat) => void;
  /** Each decoder layer's cross K and V, projected from `enc`. */
  projections: readonly { k: Mat; v: Mat }[];
}

/** The toy encoder–decoder: its cross weights, an editable E, and the caches the baseline fills. */
export function ToyEncoder({ weights, set, enc, setEnc, projections }: ToyEncoderProps) {
  const tokens = DECODER_IDS.map(tokenText);
  return (
    <>
      <h2>A toy encoder–decoder</h2>
      <p>
        Here <Tex>{'d = 4'}</Tex>, <Tex>{'p = 3'}</Tex> encoder rows, and a decoder of{' '}
        {DECODER_LAYERS} layers with one head each. Decoder layer 1 uses the toy weights of the
        earlier lessons, layer 2 their transposes. A decoder layer here is its cross-attention plus
        the residual, <Tex>{'x \\leftarrow x + \\text{cross}_j(x)'}</Tex>; its self-attention is the
        slim attention of <LessonLink slug="prefill" />, <LessonLink slug="generate" /> and{' '}
        <LessonLink slug="many-heads" />, and is left out. The decoder reads “{tokens.join(' ')}”,
        one token per step. Edit <Tex>{'E'}</Tex> as if the encoder had heard something else:
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
    </>
  );
}
