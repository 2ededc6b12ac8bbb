import './components.css';
import { useId } from 'react';

export interface SliderProps {
  label: React.ReactNode;
  /** Slider position (for a log slider, the exponent). */
  value: number;
  min: number;
  max: number;
  step?: number;
  onChange: (value: number) => void;
  /** Text shown beside the slider and read by screen readers for the current position. */
  valueText: string;
}

/** A labelled range input that shows its value; arrow keys step it (native behaviour). */
export function Slider({ label, value, min, max, step = 1, onChange, valueText }: SliderProps) {
  const id = useId();
  return (
    <div className="slider">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={valueText}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <output htmlFor={id}>{valueText}</output>
    </div>
  );
}

/** A slider position read from a URL: rounded to a whole step and kept within [min, max]. */
export function clampStep(raw: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(raw)));
}

/** A slider over powers of two: the position is the exponent, the text shows 2^exponent. */
export function PowerOfTwoSlider({
  label,
  range,
  exponent,
  onChange,
  text,
}: {
  label: React.ReactNode;
  range: { min: number; max: number };
  exponent: number;
  onChange: (exponent: number) => void;
  /** The text for the value 2^exponent. */
  text: (value: number) => string;
}) {
  return (
    <Slider
      label={label}
      min={range.min}
      max={range.max}
      value={exponent}
      onChange={onChange}
      valueText={text(2 ** exponent)}
    />
  );
}

/** The batch size B on a log slider: the position is log2 B within `range`. */
export function BatchSlider({
  range,
  exponent,
  onChange,
}: {
  range: { min: number; max: number };
  exponent: number;
  onChange: (exponent: number) => void;
}) {
  return (
    <PowerOfTwoSlider
      label="batch B"
      range={range}
      exponent={exponent}
      onChange={onChange}
      text={(b) => `${b} ${b === 1 ? 'sequence' : 'sequences'}`}
    />
  );
}
