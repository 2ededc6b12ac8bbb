import { Link } from 'react-router-dom';
import { isLessonDone, lessonPath, lessons, useProgress } from '../../lessons';
import '../../lessons/lessons.css';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { TitleText } from '../../lessons/common/LessonLink';
import { SCHEMES_PATH } from '../../lessons/schemes/path';

/** /lessons: the ordered list of lessons with the reader's progress. */
export function LessonsIndexPage() {
  const progress = useProgress();
  useDocumentTitle('Lessons');
  return (
    <section className="page lessons-index">
      <h1>Lessons</h1>
      <p className="lead">
        {lessons.length} short lessons, most of them on a model small enough to check by hand. If
        you can multiply matrices, you can follow every step — and by the end you will know exactly
        why slim attention is lossless, what it saves and what it costs.
      </p>
      <p>
        Every cache scheme side by side — what each one caches, its size, its extra work, whether it
        works with RoPE and where it is taught: <Link to={SCHEMES_PATH}>Schemes at a glance</Link>.
      </p>
      <ol className="lesson-list">
        {lessons.map((l) => {
          const done = isLessonDone(progress, l);
          const seen = progress.visited.includes(l.slug);
          return (
            <li key={l.slug}>
              <Link to={lessonPath(l.slug)}>
                <h2>
                  <TitleText text={l.title} named />
                </h2>
                <p>{l.summary}</p>
                <span className={`lesson-status${done ? ' done' : ''}`}>
                  {done ? '✓ done' : seen ? 'started' : 'not started'}
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
