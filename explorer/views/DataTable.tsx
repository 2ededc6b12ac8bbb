import type { ReactNode } from 'react';

/** A scrollable data table: one header row of column titles, then the rows given as children. */
export function DataTable({
  columns,
  children,
  testId,
}: {
  columns: readonly ReactNode[];
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="table-scroll">
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
    </div>
  );
}
