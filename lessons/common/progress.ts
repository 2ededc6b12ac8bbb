import { useSyncExternalStore } from 'react';

/**
 * Reader progress, remembered in localStorage (issue 3: "reader progress remembered locally").
 * It records which lessons were opened and which checkpoint questions were answered; nothing
 * leaves the browser.
 */
export interface CheckpointRecord {
  /** Whether the prediction made before revealing was right. */
  correct: boolean;
}

export interface Progress {
  visited: string[];
  /** Keyed by `${slug}/${checkpointId}`. */
  checkpoints: Record<string, CheckpointRecord>;
}

export const PROGRESS_KEY = 'slim-lab-lesson-progress-v1';
const CHANGE_EVENT = 'slim-lab-progress-change';
const EMPTY: Progress = { visited: [], checkpoints: {} };

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Some privacy modes throw on access; progress is then simply not remembered.
    return undefined;
  }
}

let cachedText: string | null | undefined;
let cachedValue: Progress = EMPTY;

/** Reads progress; a missing or corrupt entry reads as no progress (never throws). */
export function loadProgress(): Progress {
  const text = storage()?.getItem(PROGRESS_KEY) ?? null;
  if (text === cachedText) return cachedValue;
  cachedText = text;
  cachedValue = parseProgress(text);
  return cachedValue;
}

function parseProgress(text: string | null): Progress {
  if (!text) return EMPTY;
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null) return EMPTY;
    const r = raw as Partial<Progress>;
    const visited = Array.isArray(r.visited)
      ? r.visited.filter((s): s is string => typeof s === 'string')
      : [];
    const checkpoints: Record<string, CheckpointRecord> = {};
    if (typeof r.checkpoints === 'object' && r.checkpoints !== null) {
      for (const [k, v] of Object.entries(r.checkpoints)) {
        if (typeof v === 'object' && v !== null && typeof v.correct === 'boolean')
          checkpoints[k] = { correct: v.correct };
      }
    }
    return { visited, checkpoints };
  } catch {
    return EMPTY;
  }
}

function save(p: Progress): void {
  const s = storage();
  if (!s) return;
  try {
    s.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // Quota exceeded or storage disabled: progress is a convenience, not state.
  }
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

export function markVisited(slug: string): void {
  const p = loadProgress();
  if (p.visited.includes(slug)) return;
  save({ ...p, visited: [...p.visited, slug] });
}

export function recordCheckpoint(slug: string, id: string, correct: boolean): void {
  const p = loadProgress();
  save({ ...p, checkpoints: { ...p.checkpoints, [`${slug}/${id}`]: { correct } } });
}

export function checkpointRecord(p: Progress, slug: string, id: string) {
  return p.checkpoints[`${slug}/${id}`];
}

/** A lesson (a registry entry) is done when every one of its checkpoints has been revealed. */
export function isLessonDone(
  p: Progress,
  lesson: { slug: string; checkpoints: readonly string[] },
): boolean {
  return lesson.checkpoints.every((id) => checkpointRecord(p, lesson.slug, id) !== undefined);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGE_EVENT, onChange);
  // Other tabs write through the storage event.
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGE_EVENT, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** The current progress, re-rendering when it changes (this tab or another). */
export function useProgress(): Progress {
  return useSyncExternalStore(subscribe, loadProgress, () => EMPTY);
}
