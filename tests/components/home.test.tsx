import { render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { HomePage } from '../../app/pages/HomePage';

function renderHome() {
  const router = createMemoryRouter([{ path: '/', element: <HomePage /> }]);
  render(<RouterProvider router={router} />);
}

/** The body rows of "By the numbers", as cell texts. */
function tableRows(): string[][] {
  return within(screen.getByRole('table'))
    .getAllByRole('row')
    .slice(1)
    .map((r) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent ?? ''),
    );
}

/** Memory-bound speedup (params + cache) / (params + cache/2), bytes at 1 byte per value. */
const speedup = (params: number, cache: number) => (params + cache) / (params + cache / 2);
const gb = (bytes: number) => `${(bytes / 1e9).toPrecision(3)} GB`;

describe('home page', () => {
  it('shows KV-cache sizes that equal 2·d·layers·context·batch bytes, and half for slim', () => {
    renderHome();
    // Paper Table 1: CodeLlama-7B d 4096, 32 layers; Vicuna-13B-16k and CodeLlama-13B d 5120,
    // 40 layers; all with a 16,384-token context. 1 byte per value.
    const cache7 = 2 * 4096 * 32 * 16384;
    const cache13 = 2 * 5120 * 40 * 16384;
    expect(tableRows()).toEqual([
      [
        'CodeLlama-7B',
        '16,384 × 1',
        gb(cache7),
        gb(cache7 / 2),
        `${speedup(7e9, cache7).toFixed(2)}×`,
      ],
      [
        'Vicuna-13B-16k',
        '16,384 × 4',
        gb(4 * cache13),
        gb(2 * cache13),
        `${speedup(13e9, 4 * cache13).toFixed(2)}×`,
      ],
      [
        'CodeLlama-13B',
        '16,384 × 8',
        gb(8 * cache13),
        gb(4 * cache13),
        `${speedup(13e9, 8 * cache13).toFixed(2)}×`,
      ],
    ]);
  });

  it('prints none of the speedups lesson 1 asks the reader to predict', () => {
    renderHome();
    // Lesson 1's last checkpoint: Phi-3-mini-128k (3.8B parameters, d 3072, 32 layers) at its
    // full 131,072 context, batch 1 and 16; the choices print these to two decimals.
    const phi3 = (batch: number) => speedup(3.8e9, 2 * 3072 * 32 * 131072 * batch);
    const asked = [phi3(1), phi3(16)].map((s) => s.toFixed(2));
    expect(asked).toEqual(['1.77', '1.98']);
    const shown = tableRows().map((r) => r[4].replace('×', ''));
    for (const s of asked) expect(shown).not.toContain(s);
    expect(screen.queryByText('Phi-3-mini-128k')).toBeNull();
  });

  it('names the page in the tab title', () => {
    renderHome();
    expect(document.title).toBe('K-cache is all you need — Slim Attention Lab');
  });
});
