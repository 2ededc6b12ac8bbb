import { useMemo, useState } from 'react';
import { enumCodec, matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { MatrixEditor } from '../../components/MatrixEditor';
import { Tex } from '../../components/Tex';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { D, tokenText, type Mat } from '../common/toyData';
import { TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { DWideCache } from './DWideCache';
import {
  GQA_IDS,
  GQA_PROMPT,
  GQA_SHAPES,
  GQA_SHAPE_IDS,
  defaultKeyValue,
  fitsShape,
  gqaWeights,
  runScheme,
  type GqaShapeId,
} from './toy';

const shapeCodec = enumCodec(GQA_SHAPE_IDS);

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

const SHAPE_LABELS: Record<GqaShapeId, string> = {
  mqa: 'MQA, d_k = 2',
  'mqa-wide': 'MQA, d_k = 3',
  mha: 'MHA, d_k = 2',
};

/** The toy: pick a shape, edit its W_K and W_V, predict whether the K-cache can work. */
export function ToySection() {
  const [shapeId, setShapeId] = useLessonState('shape', shapeCodec, 'mqa');
  const defaults = defaultKeyValue(shapeId);
  const [wKRaw, setWK] = useLessonState('gk', toyRectCodec, defaults.wK);
  const [wVRaw, setWV] = useLessonState('gv', toyRectCodec, defaults.wV);
  const wK = fitsShape(shapeId, wKRaw) ? wKRaw : defaults.wK;
  const wV = fitsShape(shapeId, wVRaw) ? wVRaw : defaults.wV;
  const [revealed, setRevealed] = useState(false);
  const s = GQA_SHAPES[shapeId];
  const e = s.kvHeads * s.headDim;
  // The checkpoint asks about the first shape with its default weights, whatever is selected.
  const mqaRefused = useMemo(() => {
    const d = defaultKeyValue('mqa');
    return !runScheme(gqaWeights('mqa', d.wK, d.wV), 'k-cache', 'float64').ok;
  }, []);
  const tokens = GQA_IDS.map(tokenText);
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
        <Tex>{'W_Q'}</Tex> and <Tex>{'W_O'}</Tex> are the toy model’s, cut to {s.heads} heads of
        width {s.headDim}. The run: “{tokens.join(' ')}”, the first {GQA_PROMPT} tokens as one
        prefill, then one decode step per token, on the engine’s grouped-query attention layer.
      </p>
      <LessonCheckpoint
        id="gqa-toy"
        onRevealed={setRevealed}
        question={
          <>
            First shape: two query heads share one key/value head of width 2, so each cached key row
            has 2 numbers while <Tex>{'x'}</Tex> has 4. Can the engine rebuild V from the cached K,
            as slim attention does for MHA?
          </>
        }
        choices={[
          {
            label: (
              <>
                Yes: <Tex>{'V = K\\,W_{KV}'}</Tex> with <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>, as in
                MHA
              </>
            ),
            correct: !mqaRefused,
          },
          {
            label: (
              <>
                No: 2 numbers per token cannot give back the 4 numbers of x, so there is no{' '}
                <Tex>{'W_{KV}'}</Tex>
              </>
            ),
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
        <DWideCache shapeId={shapeId} wK={wK} wV={wV} />
      ) : (
        <p className="small">
          The d-wide cache and the engine’s runs of the three cache schemes appear once the
          prediction above is answered.
        </p>
      )}
    </>
  );
}
