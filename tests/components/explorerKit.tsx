import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import ExplorerPage from '../../explorer/ExplorerPage';

/** Renders the explorer page at `/explorer{search}` (search: '' or '?…'). */
export function renderExplorerAt(search: string) {
  return render(
    <MemoryRouter initialEntries={[`/explorer${search}`]}>
      <Routes>
        <Route path="/explorer" element={<ExplorerPage />} />
      </Routes>
    </MemoryRouter>,
  );
}
