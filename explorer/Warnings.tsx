import { formatBytes, formatCapacity, formatCount } from '../components/format';
import {
  contextRange,
  maxFittingBatch,
  maxFittingContext,
  memoryBytes,
  type Setup,
} from './series';

/**
 * Inputs a user can type but the model cannot run: a context past the model's positions
 * (`max_position_embeddings`), a batch whose caches cannot fit even at the shortest context
 * while the weights do. One sentence each, numbers from the cost model (explorer/series).
 */
export function setupWarnings(setup: Setup, maxContext: number): string[] {
  const { model, chip, batch, contextLength, weightFormat, cacheFormat } = setup;
  const formats = { weightFormat, cacheFormat };
  const out: string[] = [];
  if (model.contextLength !== undefined && contextLength > model.contextLength)
    out.push(
      `${model.name} has ${formatCount(model.contextLength)} positions ` +
        `(max_position_embeddings), so it cannot run at n = ${formatCount(contextLength)} ` +
        'tokens: the numbers past that point are what the caches would need, not what the ' +
        'model does.',
    );
  // The shortest context the explorer plots (the memory view's "even at … tokens").
  const shortest = contextRange(model).min;
  const capacity = chip.memoryCapacity;
  const slim = memoryBytes(model, 'slim', shortest, batch, formats);
  if (
    slim.weights <= capacity &&
    maxFittingContext(model, 'slim', batch, formats, capacity, maxContext) === 0
  ) {
    const most = maxFittingBatch(model, 'slim', shortest, formats, capacity);
    out.push(
      `At batch ${formatCount(batch)} the caches do not fit: even slim's caches of ` +
        `${formatCount(batch)} sequences at ${formatCount(shortest)} tokens need ` +
        `${formatBytes(slim.cache)}, more than the ${formatBytes(capacity - slim.weights)} ` +
        `left on one ${chip.name} (${formatCapacity(capacity)}) after the weights ` +
        `(${formatBytes(slim.weights)}, which fit). At most ${formatCount(most)} ` +
        `sequence${most === 1 ? '' : 's'} of that length fit.`,
    );
  }
  return out;
}

/** The sentences of `setupWarnings` and of `linkProblems`, where the reader looks first. */
export function Warnings({ warnings, problems }: { warnings: string[]; problems: string[] }) {
  if (warnings.length === 0 && problems.length === 0) return null;
  return (
    <div className="explorer-warnings" data-testid="explorer-warnings" role="status">
      {problems.map((p) => (
        <p key={p} className="notice-error">
          {p}
        </p>
      ))}
      {warnings.map((w) => (
        <p key={w} className="notice-warning">
          {w}
        </p>
      ))}
    </div>
  );
}
