import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import ExplorerPage from '../../explorer/ExplorerPage';
import { models } from '../../roofline';
import { SearchPicker, matchesSearch } from '../../components/pickers/SearchPicker';

describe('ExplorerPage with real Observable Plot in jsdom', () => {
  it('draws every chart as SVG with its capacity and ridge labels', () => {
    render(
      <MemoryRouter initialEntries={['/explorer?chip=apple-m4-max&model=aya-23-35b']}>
        <ExplorerPage />
      </MemoryRouter>,
    );
    const figures = [...document.querySelectorAll('.plot-figure')];
    expect(figures).toHaveLength(6); // memory, intensity, roofline, 2 × speedup, planner
    for (const f of figures) expect(f.querySelector('svg')).not.toBeNull();
    const memory = screen.getByRole('figure', { name: 'Memory versus context length' });
    // Apple's "128 GB" unified memory is a binary size: 128·2^30 bytes = 137 GB (decimal, as
    // every other size on the chart).
    expect(memory.textContent).toContain('Apple M4 Max: 137 GB');
    const intensity = screen.getByRole('figure', {
      name: 'Arithmetic intensity versus context length',
    });
    expect(intensity.textContent).toContain('ridge of Apple M4 Max: 92.7 OPs/byte (int8)');
    // paper Table 3: with h = 64, the K-first order (option 2) turns compute bound on the M4 Max (fp8 = 1 byte).
    expect(screen.getByTestId('intensity-facts').textContent).toMatch(
      /K-first: .*\(paper §2, option 2\): turns compute bound on Apple M4 Max/,
    );
    // The context marker sits inside the memory chart.
    expect(memory.querySelector('line.plot-marker')).not.toBeNull();
  });
});

describe('SearchPicker', () => {
  it('filters by every word and selects the first hit while typing', async () => {
    const user = userEvent.setup();
    const picked: string[] = [];
    const items = models.map((m) => ({ id: m.id, name: m.name, detail: m.attention }));
    render(
      <SearchPicker
        label="Model"
        items={items}
        selectedId="phi-3-mini-128k"
        onSelect={(id) => picked.push(id)}
      />,
    );
    await user.type(screen.getByRole('searchbox', { name: 'Search model' }), 'whisper large');
    expect(picked[picked.length - 1]).toBe(
      items.find((i) => matchesSearch(i, 'whisper large'))!.id,
    );
    const options = [...(screen.getByLabelText('Model') as HTMLSelectElement).options].map(
      (o) => o.value,
    );
    // The selected item stays listed; the rest are the matches.
    expect(options).toEqual([
      'phi-3-mini-128k',
      ...items.filter((i) => matchesSearch(i, 'whisper large')).map((i) => i.id),
    ]);
    expect(screen.getByText(/match/).textContent).toMatch(/^\d+ match/);
    await user.clear(screen.getByRole('searchbox', { name: 'Search model' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search model' }), 'zzzz');
    expect(screen.getByText('No match for “zzzz”')).toBeTruthy();
  });
});
