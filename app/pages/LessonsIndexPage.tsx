import { Link } from 'react-router-dom';
import { isLessonDone, lessonPath, lessons, useProgress } from '../../lessons';
import '../../lessons/lessons.css';
import { useDocumentTitle } from '../../components/useDocumentTitle';

/** /lessons: the ordered list of lessons with the reader's progress. */
export function LessonsIndexPage() {
  const progress = useProgress();
  useDocumentTitle('Lessons');
  return (
    <section className="page lessons-index">
      <h1>Lessons</h1>
      <p className="lead">
        Five short lessons on a model small enough to check by hand. If you can multiply matrices,
        you can follow every step — and by the end you will know exactly why slim attention is
        lossless, what it saves and what it costs.
      </p>
      <ol className="lesson-list">
        {lessons.map((l) => {
          const done = isLessonDone(progress, l);
          const seen = progress.visited.includes(l.slug);
          return (
            <li key={l.slug}>
              <Link to={lessonPath(l.slug)}>
                <h2>{l.title}</h2>
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
