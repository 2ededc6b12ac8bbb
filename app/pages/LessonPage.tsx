import { useEffect, useState } from 'react';
import { Link, NavLink, useParams, useSearchParams } from 'react-router-dom';
import {
  findLesson,
  isLessonDone,
  lessonComponents,
  lessonPath,
  lessons,
  markVisited,
  neighbours,
  useProgress,
} from '../../lessons';
import { WEIGHT_KEYS } from '../../lessons/useToyWeights';
import '../../lessons/lessons.css';

/** Query keys that follow the reader from lesson to lesson (the edited toy weights). */
const CARRIED_KEYS: readonly string[] = Object.values(WEIGHT_KEYS);
/** Below this width the contents start collapsed, so a phone opens on the lesson itself. */
const WIDE_TOC_QUERY = '(min-width: 761px)'; // lessons.css stacks the layout at 760px

function wideScreen(): boolean {
  return typeof window === 'undefined' || typeof window.matchMedia !== 'function'
    ? true
    : window.matchMedia(WIDE_TOC_QUERY).matches;
}

/** /lessons/:slug — table of contents, the lesson, prev/next and reset. */
export function LessonPage() {
  const { slug = '' } = useParams();
  const meta = findLesson(slug);
  const progress = useProgress();
  const [params, setParams] = useSearchParams();
  const [tocOpen, setTocOpen] = useState(wideScreen);
  // Reset remounts the lesson body: its local state and pending URL writes go with it.
  const [resets, setResets] = useState(0);

  useEffect(() => {
    if (meta) markVisited(meta.slug);
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

  const Body = lessonComponents[meta.slug];
  const { prev, next } = neighbours(meta.slug);
  const carried = new URLSearchParams();
  for (const k of CARRIED_KEYS) {
    const v = params.get(k);
    if (v !== null) carried.set(k, v);
  }
  const suffix = carried.size > 0 ? `?${carried}` : '';
  const index = lessons.indexOf(meta);

  return (
    <div className="lesson-layout">
      <nav className="lesson-toc" aria-label="Lessons">
        <details open={tocOpen} onToggle={(e) => setTocOpen(e.currentTarget.open)}>
          <summary>Contents</summary>
          <ol>
            {lessons.map((l) => (
              <li key={l.slug}>
                <NavLink to={lessonPath(l.slug) + suffix} end>
                  {l.title}
                  {isLessonDone(progress, l.slug) && (
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
      <article className="page lesson" aria-labelledby="lesson-title">
        <p className="lesson-kicker">
          Lesson {index + 1} of {lessons.length}
        </p>
        <h1 id="lesson-title">{meta.title}</h1>
        <div className="lesson-tools">
          <button
            type="button"
            className="secondary"
            disabled={params.size === 0}
            onClick={() => {
              setParams(new URLSearchParams(), { replace: true });
              setResets((r) => r + 1);
            }}
          >
            Reset to the defaults
          </button>
          <span className="small">Every setting is in the address bar: copy it to share.</span>
        </div>
        <Body key={`${meta.slug}/${resets}`} />
        <nav className="lesson-pager" aria-label="Previous and next lesson">
          {prev ? (
            <Link rel="prev" to={lessonPath(prev.slug) + suffix}>
              ← {prev.title}
            </Link>
          ) : (
            <Link to="/lessons">← All lessons</Link>
          )}
          {next ? (
            <Link rel="next" to={lessonPath(next.slug) + suffix}>
              {next.title} →
            </Link>
          ) : (
            <Link to="/lessons">All lessons →</Link>
          )}
        </nav>
      </article>
    </div>
  );
}
