import { Link } from 'react-router-dom';
import { TitleText } from './TitleText';
import { findLesson, lessonPath } from '../registry';

export { TitleText };

/**
 * A link to another lesson by its title, from the lesson table (lessons/registry.ts): prose
 * names lessons by title, never by number, so reordering the lessons cannot break a reference.
 * Renders “lesson “Title”” unless `bare` (then just the title). Throws for an unknown slug, so a
 * renamed or removed lesson fails every test that renders the reference.
 */
export function LessonLink({ slug, bare = false }: { slug: string; bare?: boolean }) {
  const meta = findLesson(slug);
  if (!meta) throw new Error(`LessonLink: no lesson called “${slug}” in lessons/registry.ts.`);
  const link = (
    <Link to={lessonPath(slug)}>
      <TitleText text={meta.title} named />
    </Link>
  );
  return bare ? link : <>lesson “{link}”</>;
}
