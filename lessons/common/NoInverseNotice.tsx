import type { ReactNode } from 'react';
import { Tex } from '../../components/Tex';
import { LessonLink } from './LessonLink';

/**
 * Shown in place of a lesson body that needs W_KV while the edited W_K is singular.
 * `children` says what is missing without W_KV (e.g. "to split into heads").
 */
export function NoInverseNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice-error" role="alert">
      <p>
        This <Tex>{'W_K'}</Tex> has no inverse, so there is no <Tex>{'W_{KV}'}</Tex> {children}.{' '}
        <LessonLink slug="invert-wk" /> explains why; change a cell back, or press “Restore the
        default weights”.
      </p>
    </div>
  );
}
