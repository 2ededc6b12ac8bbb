import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { flushSync } from 'react-dom';
import { useUrlState, type UrlCodec } from '../../components/useUrlState';
import { decoratePrint } from './lessonStatePrintDom';

/**
 * What a lesson page is used for right now besides reading: presenting it to a class (`?present`)
 * or printing it (a handout, or its answer key). Checkpoints follow it (LessonCheckpoint): a
 * presentation and a printout show everything a prediction holds back — the presentation's
 * steps hide it until the prediction is answered or skipped, and the printout shows the
 * predictions as questions.
 */

/** A handout prints the predictions as questions; an answer key adds their answers. */
export type PrintMode = 'handout' | 'answer-key';

export interface Classroom {
  /** Presentation mode is on (`?present`). */
  presenting: boolean;
  /** The page is being printed (between `beforeprint` and `afterprint`), and as what. */
  printing: PrintMode | null;
  /** Opens the browser's print dialog for `mode` (Ctrl+P prints a handout). */
  print: (mode: PrintMode) => void;
}

const NOT_IN_A_CLASSROOM: Classroom = { presenting: false, printing: null, print: () => {} };

const ClassroomContext = createContext<Classroom>(NOT_IN_A_CLASSROOM);

/** The lesson page's classroom state; outside a lesson, nothing is presented or printed. */
export function useClassroom(): Classroom {
  return useContext(ClassroomContext);
}

/** `?present` (any value but "0") turns presentation mode on; off is kept out of the URL. */
export const presentCodec: UrlCodec<boolean> = {
  parse: (s) => s !== '0',
  serialize: (v) => (v ? '' : '0'),
};

/** Presentation mode on or off, in the URL query (`?present`), so a link opens a lesson in it. */
export function usePresentParam(): [boolean, (on: boolean) => void] {
  return useUrlState('present', presentCodec, false);
}

/**
 * Provides useClassroom() to a lesson page. Printing is rendered synchronously in the browser's
 * `beforeprint` event (flushSync), so what a prediction holds back is in the page before the
 * browser lays it out for paper; after that, the form controls are written out as their values
 * and links as their addresses (lessonStatePrintDom.ts), undone on `afterprint`.
 */
export function ClassroomProvider({ children }: { children: ReactNode }) {
  const [presenting] = usePresentParam();
  const [printing, setPrinting] = useState<PrintMode | null>(null);
  const requested = useRef<PrintMode>('handout');
  useEffect(() => {
    let undo: (() => void) | null = null;
    const before = () => {
      flushSync(() => setPrinting(requested.current));
      undo?.();
      undo = decoratePrint(document.querySelector('main') ?? document.body);
    };
    const after = () => {
      undo?.();
      undo = null;
      requested.current = 'handout';
      setPrinting(null);
    };
    // Capture: before the charts' own listeners, so a chart the printout adds is drawn for paper.
    window.addEventListener('beforeprint', before, true);
    window.addEventListener('afterprint', after, true);
    return () => {
      window.removeEventListener('beforeprint', before, true);
      window.removeEventListener('afterprint', after, true);
      undo?.();
    };
  }, []);
  const print = useCallback((mode: PrintMode) => {
    requested.current = mode;
    window.print();
  }, []);
  const value = useMemo(() => ({ presenting, printing, print }), [presenting, printing, print]);
  return <ClassroomContext.Provider value={value}>{children}</ClassroomContext.Provider>;
}
