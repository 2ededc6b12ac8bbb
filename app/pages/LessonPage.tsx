import { Suspense, useEffect, useLayoutEffect, useState, type ReactNode } from 'react';
import {
  Link,
  NavLink,
  useLocation,
  useNavigationType,
  useParams,
  useSearchParams,
} from 'react-router-dom';
import {
  findLesson,
  isLessonDone,
  CurrentLessonContext,
  lessonPath,
  lessons,
  markVisited,
  neighbours,
  useProgress,
  type LessonMeta,
} from '../../lessons';
import { LessonStateProvider, useLessonSearch } from '../../lessons/common/lessonState';
import { PrintButtons } from '../../lessons/common/LessonCheckpointPrint';
import { WEIGHT_KEYS } from '../../lessons/common/useToyWeights';
import { TitleText } from '../../lessons/common/LessonLink';
import '../../lessons/lessons.css';
import { ErrorBoundary } from '../../components/ErrorBoundary';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { ChartScaleContext } from '../../components/charts/chartScale';
import { PresentationMode, usePresentParam } from '../presentation/PresentationMode';

/** Charts in presentation mode: Plot's 10px labels at 2.2× read at 22px. */
const PRESENT_CHART_SCALE = 2.2;

/** Query keys that follow the reader from lesson to lesson (the edited toy weights). */
const CARRIED_KEYS: readonly string[] = Object.values(WEIGHT_KEYS);
/** Below this width the contents start collapsed, so a phone opens on the lesson itself. */
const WIDE_TOC_QUERY = '(min-width: 761px)'; // lessons.css stacks the layout at 760px

function wideScreen(): boolean {
  return typeof window === 'undefined' || typeof window.matchMedia !== 'function'
    ? true
    : window.matchMedia(WIDE_TOC_QUERY).matches;
}

/** "?wk=…" with the edited weights (including edits not yet in the address bar), or "". */
function useCarriedSuffix(): string {
  const search = useLessonSearch();
  const carried = new URLSearchParams();
  for (const k of CARRIED_KEYS) {
    const v = search.get(k);
    if (v !== null) carried.set(k, v);
  }
  return carried.size > 0 ? `?${carried}` : '';
}

function Contents({ open, onToggle }: { open: boolean; onToggle: (open: boolean) => void }) {
  const progress = useProgress();
  const suffix = useCarriedSuffix();
  return (
    <nav className="lesson-toc" aria-label="Lessons">
      <details open={open} onToggle={(e) => onToggle(e.currentTarget.open)}>
        <summary>Contents</summary>
        <ol>
          {lessons.map((l) => (
            <li key={l.slug}>
              <NavLink to={lessonPath(l.slug) + suffix} end>
                <TitleText text={l.title} named />
                {isLessonDone(progress, l) && (
                  <span className="toc-done" aria-label="done">
                    {' '}
                    ✓
                  </span>
                )}
              </NavLink>
            </li>
          ))}
        </ol>
      </details>
    </nav>
  );
}

function Pager({ slug }: { slug: string }) {
  const suffix = useCarriedSuffix();
  const { prev, next } = neighbours(slug);
  return (
    <nav className="lesson-pager" aria-label="Previous and next lesson">
      {prev ? (
        <Link rel="prev" to={lessonPath(prev.slug) + suffix}>
          ← <TitleText text={prev.title} named />
        </Link>
      ) : (
        <Link to="/lessons">← All lessons</Link>
      )}
      {next ? (
        <Link rel="next" to={lessonPath(next.slug) + suffix}>
          <TitleText text={next.title} named /> →
        </Link>
      ) : (
        <Link to="/lessons">All lessons →</Link>
      )}
    </nav>
  );
}

function ResetButton({ onReset }: { onReset: () => void }) {
  const search = useLessonSearch();
  return (
    <button type="button" className="secondary" disabled={search.size === 0} onClick={onReset}>
      Reset to the defaults
    </button>
  );
}

/** /lessons/:slug — table of contents, the lesson, prev/next and reset. */
export function LessonPage() {
  const { slug = '' } = useParams();
  const meta = findLesson(slug);
  const [, setParams] = useSearchParams();
  const location = useLocation();
  const navigationType = useNavigationType();
  const [tocOpen, setTocOpen] = useState(wideScreen);
  // Lesson state lives in LessonStateProvider and is read from the URL when it mounts. Remount it
  // for every address that did not come from its own URL writes (which replace the entry): a
  // link, back/forward, or "Reset to the defaults".
  const [epoch, setEpoch] = useState({ key: location.key, n: 0 });
  if (location.key !== epoch.key)
    setEpoch({ key: location.key, n: navigationType === 'REPLACE' ? epoch.n : epoch.n + 1 });
  useDocumentTitle(meta ? meta.title : 'No such lesson');

  // A link to another lesson (pager, contents, index) opens it at the top; the browser would keep
  // the scroll position of the page it came from. Back/forward ('POP') keeps the browser's own.
  const lessonSlug = meta?.slug;
  useLayoutEffect(() => {
    if (navigationType !== 'POP')
      (document.scrollingElement ?? document.documentElement).scrollTop = 0;
    // Only a change of lesson scrolls: edits of the lesson's state replace the address too.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonSlug]);

  useEffect(() => {
    if (meta) {
      markVisited(meta.slug);
      // Fetch the neighbours' chunks now, so "next" and "previous" open at once.
      const { prev, next } = neighbours(meta.slug);
      void prev?.component.preload();
      void next?.component.preload();
    }
    // On a phone, picking a lesson from the contents closes them again.
    if (!wideScreen()) setTocOpen(false);
  }, [meta]);

  if (!meta) {
    return (
      <section className="page" role="alert">
        <h1>No lesson called “{slug}”</h1>
        <p>
          See <Link to="/lessons">all lessons</Link>.
        </p>
      </section>
    );
  }

  return (
    <LessonStateProvider key={`${meta.slug}/${epoch.n}`}>
      <div className="lesson-layout">
        <Contents open={tocOpen} onToggle={setTocOpen} />
        <LessonArticle
          meta={meta}
          onReset={() => {
            setParams(new URLSearchParams(), { replace: true });
            setEpoch((e) => ({ ...e, n: e.n + 1 }));
          }}
        />
      </div>
    </LessonStateProvider>
  );
}

/*
 * The pieces of the lesson page that follow `?present` read it themselves: useUrlState re-renders
 * its caller on every change of the lesson's URL state, so LessonArticle must not call it, or
 * every slider tick and token step would render the whole lesson body again.
 */

function PresentButton() {
  const [, setPresent] = usePresentParam();
  return (
    <button type="button" onClick={() => setPresent(true)}>
      Present
    </button>
  );
}

/** Larger chart type while presenting; `children` (the lesson body) keeps its own renders. */
function PresentChartScale({ children }: { children: ReactNode }) {
  const [present] = usePresentParam();
  return (
    <ChartScaleContext.Provider value={present ? PRESENT_CHART_SCALE : 1}>
      {children}
    </ChartScaleContext.Provider>
  );
}

function Presentation({ body }: { body: HTMLElement | null }) {
  const [present, setPresent] = usePresentParam();
  return present ? <PresentationMode body={body} onExit={() => setPresent(false)} /> : null;
}

function LessonArticle({ meta, onReset }: { meta: LessonMeta; onReset: () => void }) {
  const Body = meta.component;
  const index = lessons.indexOf(meta);
  const [body, setBody] = useState<HTMLDivElement | null>(null);
  return (
    <article className="page lesson" aria-labelledby="lesson-title">
      <p className="lesson-kicker">
        Lesson {index + 1} of {lessons.length}
      </p>
      <h1 id="lesson-title">
        <TitleText text={meta.title} named />
      </h1>
      <div className="lesson-tools">
        <PresentButton />
        <PrintButtons />
        <ResetButton onReset={onReset} />
        <span className="small">Every setting is in the address bar: copy it to share.</span>
      </div>
      <ErrorBoundary
        resetKey={meta.slug}
        fallback={(error) => (
          <div className="notice-error" role="alert">
            <h2>The engine refuses these weights</h2>
            <p>{error.message}</p>
            <p>
              Press “Reset to the defaults” above, or go back to the link you came from. Hand-typed
              matrices can be numerically singular or too large for float32 even when they look
              harmless (paper Appendix A).
            </p>
          </div>
        )}
      >
        <CurrentLessonContext.Provider value={meta.slug}>
          <Suspense
            fallback={
              <p className="page-loading" role="status" aria-live="polite">
                Loading the lesson…
              </p>
            }
          >
            {/* The body's children are presentation mode's steps (app/presentation). */}
            <div className="lesson-body" data-lesson-body="" ref={setBody}>
              <PresentChartScale>
                <Body />
              </PresentChartScale>
            </div>
          </Suspense>
        </CurrentLessonContext.Provider>
      </ErrorBoundary>
      <Presentation body={body} />
      <Pager slug={meta.slug} />
    </article>
  );
}
