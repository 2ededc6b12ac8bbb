import { render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { HomePage } from '../../app/pages/HomePage';

function renderHome() {
  const router = createMemoryRouter([{ path: '/', element: <HomePage /> }]);
  render(<RouterProvider router={router} />);
}

describe('home page', () => {
  it('shows KV-cache sizes that equal 2·d·layers·context·batch bytes, and half for slim', () => {
    renderHome();
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    // paper §1/paper Table 1: Phi-3-mini-128k has d 3072, 32 layers, 131,072 context; 1 byte per value.
    const phi3 = 2 * 3072 * 32 * 131072;
    const [b1, b16] = rows.map((r) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    );
    expect(b1[0]).toBe('Phi-3-mini-128k');
    expect(b1[1]).toBe('131,072 × 1');
    expect(b1[2]).toBe(`${(phi3 / 1e9).toFixed(1)} GB`);
    expect(b1[3]).toBe(`${(phi3 / 2 / 1e9).toFixed(1)} GB`);
    expect(b16[2]).toBe(`${((16 * phi3) / 1e9).toFixed(0)} GB`);
    // Speedups: (cache + params) / (cache/2 + params) lies strictly between 1 and 2.
    for (const r of rows) {
      const speedup = Number(within(r).getAllByRole('cell')[4].textContent?.replace('×', ''));
      expect(speedup).toBeGreaterThan(1);
      expect(speedup).toBeLessThan(2);
    }
  });
});
