import type { ReactNode } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';

/**
 * A model the cost model refuses (RooflineInputError while rendering a view) shows its message
 * where the views were; the controls beside it stay usable, and changing them retries.
 */
export function ViewsErrorBoundary({
  resetKey,
  children,
}: {
  resetKey: string;
  children: ReactNode;
}) {
  return (
    <ErrorBoundary
      resetKey={resetKey}
      fallback={(error) => (
        <div className="explorer-views explorer-error" role="alert">
          <h2>These numbers cannot be computed</h2>
          <p>{error.message}</p>
          <p>Change the model or chip on the left, or pick one from the catalog.</p>
        </div>
      )}
    >
      {children}
    </ErrorBoundary>
  );
}
