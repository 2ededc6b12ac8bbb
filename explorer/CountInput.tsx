import { useState } from 'react';

/**
 * An integer box that lets the reader type freely: the text is kept as typed, and only a valid
 * integer in [min, max] is passed on. When the value changes from outside (URL, slider), the
 * box shows it.
 */
export function CountInput({
  id,
  value,
  onCommit,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
}: {
  id: string;
  value: number;
  onCommit: (v: number) => void;
  min?: number;
  max?: number;
}) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  // Adopt outside changes (React's "adjust state during render" pattern, no effect needed).
  if (shown !== value) {
    setShown(value);
    if (Number(text) !== value) setText(String(value));
  }
  const valid = (v: number) => Number.isInteger(v) && v >= min && v <= max;
  return (
    <input
      id={id}
      type="number"
      inputMode="numeric"
      min={min}
      max={max === Number.MAX_SAFE_INTEGER ? undefined : max}
      step={1}
      value={text}
      aria-invalid={text.trim() !== '' && !valid(Number(text)) ? true : undefined}
      onChange={(e) => {
        setText(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && valid(v)) onCommit(v);
      }}
      onBlur={() => {
        if (!valid(Number(text))) setText(String(value));
      }}
    />
  );
}
