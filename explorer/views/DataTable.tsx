import type { ReactNode } from 'react';
import { TableScroll } from '../../components/TableScroll';

/** A data table that scrolls sideways with a cue when it is wider than the screen: one header row of column titles, then the rows given as children. */
export function DataTable({
  columns,
  children,
  testId,
  label,
}: {
  /** What the table shows (named while it scrolls on a narrow screen, components/TableScroll). */
  label: string;
  columns: readonly ReactNode[];
  children: ReactNode;
  testId?: string;
}) {
  return (
    <TableScroll label={label}>
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableScroll>
  );
}
