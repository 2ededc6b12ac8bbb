import { chips } from './chips';
import { RooflineInputError } from './errors';
import { models } from './models';
import type { Chip, Model } from './types';

/** Catalog lookup by id, case-insensitive; undefined when absent (see `closeMatches`). */
export function findModel(id: string): Model | undefined {
  const key = id.trim().toLowerCase();
  return models.find((m) => m.id === key);
}

/** Catalog lookup by id, case-insensitive; undefined when absent (see `closeMatches`). */
export function findChip(id: string): Chip | undefined {
  const key = id.trim().toLowerCase();
  return chips.find((c) => c.id === key);
}

/** Like `findModel`, but throws a RooflineInputError that names the close matches. */
export function requireModel(id: string): Model {
  const found = findModel(id);
  if (found) return found;
  throw new RooflineInputError(unknownIdMessage('model', id, models));
}

/** Like `findChip`, but throws a RooflineInputError that names the close matches. */
export function requireChip(id: string): Chip {
  const found = findChip(id);
  if (found) return found;
  throw new RooflineInputError(unknownIdMessage('chip', id, chips));
}

/** "unknown model 'x'; did you mean: a, b?" (or the hint to list all ids). */
export function unknownIdMessage(
  what: string,
  id: string,
  list: readonly { id: string }[],
): string {
  const matches = closeMatches(id, list);
  const hint =
    matches.length > 0
      ? `did you mean: ${matches.join(', ')}?`
      : `no close match; known ids: ${list.map((e) => e.id).join(', ')}`;
  return `unknown ${what} '${id}'; ${hint}`;
}

/** Levenshtein edit distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Ids of `list` close to `id`, best first, at most `limit`: ids that contain the query (or
 * that the query contains) and ids within an edit distance of about a third of their length.
 * Separators are ignored so 'codellama7b' and 'CodeLlama_7B' find 'codellama-7b'.
 */
export function closeMatches(id: string, list: readonly { id: string }[], limit = 5): string[] {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const query = squash(id);
  if (query.length === 0) return [];
  const scored: { id: string; score: number }[] = [];
  for (const entry of list) {
    const candidate = squash(entry.id);
    const distance = editDistance(query, candidate);
    const contains = candidate.includes(query) || query.includes(candidate);
    const threshold = Math.max(2, Math.floor(Math.max(query.length, candidate.length) / 3));
    if (contains || distance <= threshold) {
      // Containment ranks first; then by distance, then alphabetically for a stable order.
      scored.push({ id: entry.id, score: (contains ? 0 : 1000) + distance });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
  return scored.slice(0, limit).map((s) => s.id);
}
