import './components.css';
import { formatNumber } from './format';

export interface MatrixViewProps {
  /** Accessible name, e.g. "W_K inverse". */
  label: string;
  /** Numbers are formatted; strings (exact fractions) are shown as given. */
  value: readonly (readonly (number | string)[])[];
  /** Visible caption above the matrix (may contain an equation). */
  caption?: React.ReactNode;
  rowLabels?: readonly string[];
  /** Cells to emphasise, e.g. the row that was just appended. */
  highlight?: (row: number, col: number) => boolean;
  digits?: number;
  className?: string;
}

/** A read-only matrix in brackets, as an accessible table. */
export function MatrixView({
  label,
  value,
  caption,
  rowLabels,
  highlight,
  digits = 4,
  className,
}: MatrixViewProps) {
  return (
    <figure className={className ? `matrix-figure ${className}` : 'matrix-figure'}>
      {caption && <figcaption>{caption}</figcaption>}
      <div className="matrix-scroll">
        <table className="matrix" aria-label={label}>
          <tbody>
            {value.map((row, i) => (
              <tr key={i}>
                {rowLabels && (
                  <th scope="row" className="matrix-row-label">
                    {rowLabels[i]}
                  </th>
                )}
                {row.map((v, j) => (
                  <td key={j} className={highlight?.(i, j) ? 'hl' : undefined}>
                    {typeof v === 'number' ? formatNumber(v, digits) : v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
