import { createBrowserRouter } from 'react-router-dom';
import { Layout } from './Layout';
import { NotFoundPage } from './pages/NotFoundPage';
import { routes } from './routes';

export const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    errorElement: <Layout crashed />,
    children: [...routes, { path: '*', element: <NotFoundPage /> }],
  },
]);
