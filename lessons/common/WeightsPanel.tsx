import { memo, useState } from 'react';
import { MatrixEditor } from '../../components/MatrixEditor';
import { Tex } from '../../components/Tex';
import { DEFAULT_WEIGHTS, type Mat, type ToyWeights } from './toyData';
import { TOY_MAX_ABS, TOY_MIN_ABS } from './useToyWeights';
import { LinkWeightsNotice } from './LinkWeightsNotice';
import { TitleText } from './TitleText';

const TEX_NAME: Record<keyof ToyWeights, string> = {
  wQ: 'W_Q',
  wK: 'W_K',
  wV: 'W_V',
  wO: 'W_O',
};

/** Whether two matrices of the same shape hold the same entries. */
export const sameMatrix = (a: Mat, b: Mat) =>
  a.every((row, i) => row.every((x, j) => x === b[i][j]));

/** One editable toy matrix, captioned by its TeX name; entries that differ from `defaults` tinted. */
export function ToyMatrixEditor({
  tex,
  value,
  defaults,
  onChange,
}: {
  tex: string;
  value: Mat;
  defaults: Mat;
  onChange: (value: Mat) => void;
}) {
  return (
    <MatrixEditor
      label={tex}
      caption={<Tex>{tex}</Tex>}
      value={value}
      onChange={onChange}
      maxAbs={TOY_MAX_ABS}
      minAbs={TOY_MIN_ABS}
      highlight={(i, j) => value[i][j] !== defaults[i][j]}
    />
  );
}

/** Puts every edited matrix back to its default (disabled while none is edited). */
export function RestoreDefaultsButton<K extends string>({
  edited,
  defaults,
  set,
  children = 'Restore the default weights',
  ariaLabel,
}: {
  edited: readonly K[];
  defaults: Readonly<Record<K, Mat>>;
  set: (name: K, value: Mat) => void;
  children?: React.ReactNode;
  /** The button's name in words, when `children` holds a formula (browsers leave math out). */
  ariaLabel?: string;
}) {
  return (
    <button
      type="button"
      className="secondary"
      aria-label={ariaLabel}
      disabled={edited.length === 0}
      onClick={() =>
        edited.forEach((n) =>
          set(
            n,
            defaults[n].map((r) => [...r]),
          ),
        )
      }
    >
      {children}
    </button>
  );
}

/**
 * One weight matrix's editor. Memoized: an edit re-renders only the matrix that changed (the
 * others keep their value's identity, and `set` is stable).
 */
const WeightEditor = memo(function WeightEditor({
  name,
  value,
  set,
}: {
  name: keyof ToyWeights;
  value: Mat;
  set: (name: keyof ToyWeights, value: Mat) => void;
}) {
  return (
    <ToyMatrixEditor
      tex={TEX_NAME[name]}
      value={value}
      defaults={DEFAULT_WEIGHTS[name]}
      onChange={(m) => set(name, m)}
    />
  );
});

export interface WeightsPanelProps {
  weights: ToyWeights;
  set: (name: keyof ToyWeights, value: Mat) => void;
  /** The matrices this lesson uses, in display order. */
  names: readonly (keyof ToyWeights)[];
  /** One sentence on what to try. */
  hint: React.ReactNode;
}

/**
 * The toy weights a lesson uses, editable, folded away by default so the lesson reads first
 * (issue 3: "all matrices are editable"). It opens by itself when the link carries edited weights,
 * so a shared example shows what was changed; changed entries are tinted.
 */
export function WeightsPanel({ weights, set, names, hint }: WeightsPanelProps) {
  const edited = names.filter((n) => !sameMatrix(weights[n], DEFAULT_WEIGHTS[n]));
  // Decided once: later edits or a restore must not fold the panel away under the reader.
  const [openAtStart] = useState(edited.length > 0);
  return (
    <>
      <LinkWeightsNotice />
      <details className="weights-panel" open={openAtStart}>
        <summary>
          Edit the weights (<TitleText text={names.map((n) => TEX_NAME[n]).join(', ')} />)
          {edited.length > 0 && (
            <span className="weights-edited">
              {' '}
              · edited: <TitleText text={edited.map((n) => TEX_NAME[n]).join(', ')} />
            </span>
          )}
        </summary>
        <p className="small">{hint}</p>
        <div className="matrix-row">
          {names.map((n) => (
            <WeightEditor key={n} name={n} value={weights[n]} set={set} />
          ))}
        </div>
        <RestoreDefaultsButton edited={edited} defaults={DEFAULT_WEIGHTS} set={set} />
      </details>
    </>
  );
}
