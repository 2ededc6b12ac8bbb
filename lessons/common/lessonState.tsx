import type { ReactNode } from 'react';
import {
  UrlStateProvider,
  useUrlSearch,
  useUrlState,
  type UrlCodec,
} from '../../components/useUrlState';
import { ClassroomProvider } from './lessonStateClassroom';

/**
 * A lesson's interactive state (issue 3: every state is in the URL), through the app's one
 * URL-state hook with batching on: a change is applied to React state at once and all pending
 * changes reach the URL together once input pauses (components/useUrlState.ts). LessonPage also
 * remounts the provider for a new address (links, back/forward, "Reset to the defaults").
 * Inside it, useClassroom() says whether the lesson is presented or printed.
 */
export function LessonStateProvider({ children }: { children: ReactNode }) {
  return (
    <UrlStateProvider>
      <ClassroomProvider>{children}</ClassroomProvider>
    </UrlStateProvider>
  );
}

/** The lesson's query parameters as they are now: the URL plus changes not yet written to it. */
export function useLessonSearch(): URLSearchParams {
  return useUrlSearch();
}

/** One piece of lesson state in the URL query parameter `key`; see useUrlState. */
export function useLessonState<T>(
  key: string,
  codec: UrlCodec<T>,
  defaultValue: T,
): [T, (value: T) => void] {
  return useUrlState(key, codec, defaultValue, { batch: true });
}
