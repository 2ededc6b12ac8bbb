import type { ReactNode } from 'react';
import './components.css';
import { formatNumber } from './format';

export interface MatrixViewProps<T extends number | string = number | string> {
  /** Accessible name, e.g. "W_K inverse". */
  label: string;
  /** Numbers are formatted; strings (exact fractions) are shown as given. */
  value: readonly (readonly T[])[];
  /** Visible caption above the matrix (may contain an equation). */
  caption?: React.ReactNode;
  rowLabels?: readonly string[];
  /** Cells to emphasise, e.g. the row that was just appended. */
  highlight?: (row: number, col: number) => boolean;
  digits?: number;
  className?: string;
  /** What a cell shows; by default the formatted value (MatrixEditor puts an input here). */
  renderCell?: (value: T, row: number, col: number) => ReactNode;
  /** Shown under the matrix, inside its figure (e.g. an input error). */
  children?: ReactNode;
}

/** A matrix in brackets, as an accessible table: read-only, or with cells rendered by the caller. */
export function MatrixView<T extends number | string>({
  label,
  value,
  caption,
  rowLabels,
  highlight,
  digits = 4,
  className,
  renderCell,
  children,
}: MatrixViewProps<T>) {
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
                    {renderCell
                      ? renderCell(v, i, j)
                      : typeof v === 'number'
                        ? formatNumber(v, digits)
                        : v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {children}
    </figure>
  );
}
