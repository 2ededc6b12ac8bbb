import { INT8_CHIPS } from './speedups';

/** A chip with an int8 peak, picked by name. */
export function ChipSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <label className="select">
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {INT8_CHIPS.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}
