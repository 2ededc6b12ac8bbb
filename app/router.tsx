import { createBrowserRouter } from 'react-router-dom';
import { Layout } from './Layout';
import { NotFoundPage } from './pages/NotFoundPage';
import { pages } from './routes';

export const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    errorElement: <Layout crashed />,
    children: [...pages.map((p) => p.route), { path: '*', element: <NotFoundPage /> }],
  },
]);
