import './components.css';
import { useRef, useState } from 'react';
import { formatNumber } from './format';
import { MatrixView } from './MatrixView';

export interface MatrixEditorProps {
  /** Accessible name of the matrix; cells are named "<label> row i column j". */
  label: string;
  caption?: React.ReactNode;
  value: readonly (readonly number[])[];
  onChange: (next: number[][]) => void;
  /** Step for arrow keys and for each scrub notch; Shift gives step / 10. */
  step?: number;
  rowLabels?: readonly string[];
  /** Cells to emphasise (e.g. two equal rows of a singular matrix). */
  highlight?: (row: number, col: number) => boolean;
  /** Largest magnitude accepted (default: any finite number). */
  maxAbs?: number;
  /**
   * Smallest non-zero magnitude accepted (default: the smallest normal float64, so subnormals
   * such as 1e-310 are refused); 0 is always accepted.
   */
  minAbs?: number;
}

/** The smallest positive normal float64 (2^−1022); below it values lose precision (subnormals). */
export const MIN_NORMAL = 2 ** -1022;

/** Pixels of horizontal drag per step while scrubbing a cell. */
const PX_PER_STEP = 12;
/** A drag shorter than this is a click (place the caret and type). */
const DRAG_THRESHOLD = 4;

function decimalsOf(x: number): number {
  const [mantissa, exp] = String(Math.abs(x)).split('e');
  return Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exp ?? 0));
}

/**
 * x + delta without the binary noise that repeated 0.1 steps leave behind (0.30000000000000004),
 * keeping every digit the reader typed: 0.37 + 1 is 1.37, not a value snapped to the step grid.
 */
function stepBy(x: number, delta: number): number {
  return Number((x + delta).toFixed(Math.min(12, Math.max(decimalsOf(x), decimalsOf(delta)))));
}

function clamp(x: number, maxAbs: number): number {
  return Math.max(-maxAbs, Math.min(maxAbs, x));
}

function withCell(m: readonly (readonly number[])[], i: number, j: number, v: number): number[][] {
  return m.map((row, r) => row.map((x, c) => (r === i && c === j ? v : x)));
}

/** Why typed text is refused, or undefined when it is a number in range. */
export type CellProblem = 'not-a-number' | 'too-large' | 'too-small';

/**
 * Checks what a person types: accepts "−" (typographic minus, also in an exponent) and a decimal
 * comma. Values beyond ±maxAbs, and non-zero values nearer zero than minAbs, are refused.
 */
export function cellProblem(
  text: string,
  maxAbs = Infinity,
  minAbs = MIN_NORMAL,
): { value: number; problem?: undefined } | { value?: undefined; problem: CellProblem } {
  const t = text.trim().replace(/[−–]/g, '-').replace(',', '.');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t))
    return { problem: 'not-a-number' };
  const v = Number(t);
  if (!Number.isFinite(v) || Math.abs(v) > maxAbs) return { problem: 'too-large' };
  if (v !== 0 && Math.abs(v) < minAbs) return { problem: 'too-small' };
  return { value: v === 0 ? 0 : v };
}

/** The number typed, or undefined when cellProblem refuses it. */
export function parseCell(
  text: string,
  maxAbs = Infinity,
  minAbs = MIN_NORMAL,
): number | undefined {
  return cellProblem(text, maxAbs, minAbs).value;
}

/** What the reader is told about refused text (a sentence after the matrix's name). */
function problemText(text: string, problem: CellProblem, maxAbs: number, minAbs: number): string {
  const shown = `“${text}”`;
  if (problem === 'too-small')
    return `${shown} is too close to zero to compute with: type 0, or a number of magnitude at least ${formatNumber(minAbs, 3)}`;
  return `${shown} is not a number${Number.isFinite(maxAbs) ? ` between −${maxAbs} and ${maxAbs}` : ''}`;
}

/**
 * A cell's text: up to 6 significant digits, without the trailing zeros of an exponent form
 * ("1e−30", not "1.0000e−30", whose end a narrow cell would cut off to read "1.000").
 */
export function cellText(v: number): string {
  return formatNumber(v, 6).replace(/\.?0+e/, 'e');
}

/**
 * An editable matrix: type a value, use ArrowUp/ArrowDown (Shift for fine steps), or drag a cell
 * sideways to scrub its value (Shift for fine steps). Invalid text is flagged in place and never
 * reaches onChange, so nothing downstream ever sees NaN.
 */
export function MatrixEditor({
  label,
  caption,
  value,
  onChange,
  step = 1,
  rowLabels,
  highlight,
  maxAbs = Infinity,
  minAbs = MIN_NORMAL,
}: MatrixEditorProps) {
  // Text being typed, per cell, until it leaves focus; lets "-" or "1." exist mid-typing.
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const drag = useRef<{ key: string; x: number; start: number; active: boolean } | null>(null);
  const invalid = Object.entries(drafts).flatMap(([, t]) => {
    const { problem } = cellProblem(t, maxAbs, minAbs);
    return problem ? [{ text: t, problem }] : [];
  });

  const setDraft = (key: string, text: string | undefined) =>
    setDrafts((d) => {
      const next = { ...d };
      if (text === undefined) delete next[key];
      else next[key] = text;
      return next;
    });

  const cell = (v: number, i: number, j: number) => {
    const key = `${i},${j}`;
    const draft = drafts[key];
    const bad = draft !== undefined && parseCell(draft, maxAbs, minAbs) === undefined;
    const text = draft ?? cellText(v);
    return (
      <input
        type="text"
        inputMode="decimal"
        autoComplete="off"
        spellCheck={false}
        aria-label={`${label} row ${i + 1} column ${j + 1}`}
        aria-invalid={bad || undefined}
        className="cell-input"
        value={text}
        // Wide enough for its whole text: a cut-off "1.5e−7" would read as a different number.
        style={text.length > 5 ? { width: `${text.length + 2}ch` } : undefined}
        onChange={(e) => {
          const typed = e.target.value;
          setDraft(key, typed);
          const parsed = parseCell(typed, maxAbs, minAbs);
          if (parsed !== undefined && parsed !== v) onChange(withCell(value, i, j, parsed));
        }}
        onBlur={() => setDraft(key, undefined)}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
          e.preventDefault();
          const s = e.shiftKey ? step / 10 : step;
          const next = clamp(stepBy(v, e.key === 'ArrowUp' ? s : -s), maxAbs);
          setDraft(key, undefined);
          onChange(withCell(value, i, j, next));
        }}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          drag.current = { key, x: e.clientX, start: v, active: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d || d.key !== key) return;
          const dx = e.clientX - d.x;
          if (!d.active) {
            if (Math.abs(dx) < DRAG_THRESHOLD) return;
            d.active = true;
            e.currentTarget.setPointerCapture?.(e.pointerId);
          }
          const s = e.shiftKey ? step / 10 : step;
          const next = clamp(stepBy(d.start, Math.trunc(dx / PX_PER_STEP) * s), maxAbs);
          if (next !== v) {
            setDraft(key, undefined);
            onChange(withCell(value, i, j, next));
          }
        }}
        onPointerUp={() => {
          drag.current = null;
        }}
        onPointerCancel={() => {
          drag.current = null;
        }}
      />
    );
  };

  return (
    <MatrixView
      label={label}
      caption={caption}
      value={value}
      rowLabels={rowLabels}
      highlight={highlight}
      className="matrix-editor"
      renderCell={cell}
    >
      {invalid.length > 0 && (
        <p className="cell-error" role="alert">
          {label}: {problemText(invalid[0].text, invalid[0].problem, maxAbs, minAbs)}; the last
          valid value is still used.
        </p>
      )}
    </MatrixView>
  );
}
