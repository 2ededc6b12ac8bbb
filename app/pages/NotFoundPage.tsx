import { Link, useLocation } from 'react-router-dom';
import { useDocumentTitle } from '../../components/useDocumentTitle';

export function NotFoundPage() {
  const { pathname } = useLocation();
  useDocumentTitle('Page not found');
  return (
    <section className="page" role="alert">
      <h1>No page at {pathname}</h1>
      <p>
        That address does not exist in Slim Attention Lab. <Link to="/">Go to the start page</Link>.
      </p>
    </section>
  );
}
