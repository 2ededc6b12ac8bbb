import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import type { PlotFigureProps } from '../../components/charts/PlotFigure';
import { applicability, requireChip, requireModel } from '../../roofline';
import {
  contextGrid,
  contextRange,
  memorySeries,
  operatingPoints,
  speedupSeries,
  speedupBatches,
} from '../../explorer/series';
import ExplorerPage, { CHART_POINTS, SERIES_POINTS } from '../../explorer/ExplorerPage';

// Capture what each chart receives instead of drawing it: the assertions are on the data.
const rendered = new Map<string, PlotFigureProps>();
vi.mock('../../components/charts/PlotFigure', () => ({
  PlotFigure: (props: PlotFigureProps) => {
    // Latest render last, so a search from the end finds the chart as it is now.
    rendered.delete(props.ariaLabel);
    rendered.set(props.ariaLabel, props);
    return <div role="figure" aria-label={props.ariaLabel} data-marker-x={props.markerX} />;
  },
}));

interface MarkLike {
  data?: unknown;
}
/** The data of the chart's marks whose data is an array of objects with `key`. */
function markData<T>(ariaLabel: string | RegExp, key: string): T[] {
  const entry = [...rendered.entries()]
    .reverse()
    .find(([label]) =>
      typeof ariaLabel === 'string' ? label === ariaLabel : ariaLabel.test(label),
    );
  if (!entry) throw new Error(`no chart ${String(ariaLabel)}`);
  const marks = (entry[1].options.marks ?? []) as MarkLike[];
  const found = marks.find(
    (m) =>
      Array.isArray(m.data) &&
      typeof m.data[0] === 'object' &&
      m.data[0] !== null &&
      key in (m.data[0] as object),
  );
  if (!found) throw new Error(`chart ${String(ariaLabel)} has no mark with ${key}`);
  return found.data as T[];
}

let lastSearch = '';
function LocationProbe() {
  lastSearch = useLocation().search;
  return null;
}

function renderAt(search: string) {
  rendered.clear();
  return render(
    <MemoryRouter initialEntries={[`/explorer${search}`]}>
      <Routes>
        <Route
          path="/explorer"
          element={
            <>
              <ExplorerPage />
              <LocationProbe />
            </>
          }
        />
      </Routes>
    </MemoryRouter>,
  );
}

const fp8 = { weightFormat: 'fp8', cacheFormat: 'fp8' } as const;

describe('ExplorerPage', () => {
  it('draws the memory series of the default model exactly as the cost model gives them', () => {
    renderAt('');
    const phi3 = requireModel('phi-3-mini-128k');
    const { min, max } = contextRange(phi3);
    const grid = contextGrid(min, max, CHART_POINTS);
    const data = markData<{ bytes: number; contextLength: number }>(
      'Memory versus context length',
      'bytes',
    );
    expect(data).toEqual(memorySeries(phi3, 1, fp8, grid));
    expect(new Set(data.map((d) => d.contextLength)).size).toBe(CHART_POINTS);
    expect(screen.getByTestId('verdict').textContent).toBe(
      `Yes: up to 2× less context memory. ${applicability(phi3).reason}`,
    );
  });

  it('changing model, chip, batch and context updates chart data and the verdict', async () => {
    const user = userEvent.setup();
    renderAt('');
    // Model: a GQA model with c ≤ 1 → no gain.
    await user.selectOptions(screen.getByLabelText('Model'), 'llama-3-8b');
    const llama = requireModel('llama-3-8b');
    expect(screen.getByTestId('verdict').textContent).toContain('No gain');
    expect(screen.getByTestId('verdict').textContent).toContain(applicability(llama).reason);
    const grid = contextGrid(128, 2 ** 20, CHART_POINTS);
    expect(markData('Memory versus context length', 'bytes')).toEqual(
      memorySeries(llama, 1, fp8, grid),
    );
    await waitFor(() => expect(lastSearch).toContain('model=llama-3-8b'));

    // Chip: the roofline follows, and so do the operating points.
    await user.selectOptions(screen.getByLabelText('Chip'), 'apple-m4-max');
    const m4 = requireChip('apple-m4-max');
    expect(screen.getByRole('heading', { name: /Roofline of Apple M4 Max/ })).toBeTruthy();
    expect(markData(/^Roofline of Apple M4 Max/, 'explanation')).toEqual(
      // Choosing the model set n to its own context (issue 20).
      operatingPoints({ model: llama, chip: m4, batch: 1, contextLength: 8192, ...fp8 }),
    );

    // Batch: 16 sequences → the memory series scale their cache part.
    const batch = screen.getByLabelText('batch B');
    await user.clear(batch);
    await user.type(batch, '16');
    expect(markData('Memory versus context length', 'bytes')).toEqual(
      memorySeries(llama, 16, fp8, grid),
    );
    expect(markData('Roofline decode speedup', 'speedup')).toEqual(
      speedupSeries(llama, m4, speedupBatches(16), fp8, grid).filter(
        (p) => p.estimate === 'roofline',
      ),
    );
    await waitFor(() => expect(lastSearch).toContain('batch=16'));

    // Context: the exact-n box moves every chart's marker and the operating points.
    const n = screen.getByLabelText('exact n');
    await user.clear(n);
    await user.type(n, '4096');
    for (const label of ['Memory versus context length', 'Roofline decode speedup'])
      expect(rendered.get(label)?.markerX).toBe(4096);
    expect(markData(/^Roofline of/, 'explanation')).toEqual(
      operatingPoints({ model: llama, chip: m4, batch: 16, contextLength: 4096, ...fp8 }),
    );
    expect(screen.getByTestId('speedup-now').textContent).toContain('n = 4,096, batch 16');
  });

  it('the slider moves over the plotted grid', async () => {
    renderAt('');
    const slider = screen.getByRole('slider');
    const grid = contextGrid(128, 2 ** 20, SERIES_POINTS);
    expect(slider.getAttribute('max')).toBe(String(SERIES_POINTS - 1));
    act(() => {
      // fireEvent.change is what a drag produces on a range input.
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(slider, '100');
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(rendered.get('Memory versus context length')?.markerX).toBe(grid[100]);
    // The URL follows once the slider rests.
    await waitFor(() => expect(lastSearch).toContain(`n=${grid[100]}`));
  });

  it('a URL round trip restores the same state', async () => {
    const user = userEvent.setup();
    renderAt('');
    await user.selectOptions(screen.getByLabelText('Model'), 'codellama-7b');
    await user.selectOptions(screen.getByLabelText('Chip'), 'nvidia-a100');
    await user.selectOptions(screen.getByLabelText('cache stored as'), 'int4');
    await user.selectOptions(screen.getByLabelText('weights stored as'), 'bf16');
    const batch = screen.getByLabelText('batch B');
    await user.clear(batch);
    await user.type(batch, '8');
    const n = screen.getByLabelText('exact n');
    await user.clear(n);
    await user.type(n, '4096');
    await waitFor(() => expect(lastSearch).toContain('n=4096'));
    const search = lastSearch;
    const memory = markData('Memory versus context length', 'bytes');
    const verdict = screen.getByTestId('verdict').textContent;
    const planner = screen.getByTestId('planner-table').textContent;

    // A fresh page at the same address shows the same controls, data and text.
    renderAt(search);
    const views = screen.getAllByRole('region', { name: /Memory vs context length/ });
    const fresh = views[views.length - 1].closest('.explorer') as HTMLElement;
    const page = within(fresh);
    expect((page.getByLabelText('Model') as HTMLSelectElement).value).toBe('codellama-7b');
    expect((page.getByLabelText('Chip') as HTMLSelectElement).value).toBe('nvidia-a100');
    expect((page.getByLabelText('cache stored as') as HTMLSelectElement).value).toBe('int4');
    expect((page.getByLabelText('weights stored as') as HTMLSelectElement).value).toBe('bf16');
    expect((page.getByLabelText('batch B') as HTMLInputElement).value).toBe('8');
    expect((page.getByLabelText('exact n') as HTMLInputElement).value).toBe('4096');
    expect(markData('Memory versus context length', 'bytes')).toEqual(memory);
    expect(page.getByTestId('verdict').textContent).toBe(verdict);
    expect(page.getByTestId('planner-table').textContent).toBe(planner);
    expect(lastSearch).toBe(search);
  });

  it('a custom model from typed numbers and from a pasted config.json, with errors named', async () => {
    const user = userEvent.setup();
    renderAt('');
    await user.selectOptions(screen.getByLabelText('Model'), 'custom');
    const kv = screen.getByLabelText('h_kv (KV heads)');
    await user.clear(kv);
    await user.type(kv, '8');
    await user.click(screen.getByRole('button', { name: 'Use these numbers' }));
    // Phi-3 shape with h_kv = 8: d_cache = 8·2·96 = 1536 ≤ d = 3072 → no gain.
    expect(screen.getByTestId('verdict').textContent).toContain('No gain');
    await waitFor(() => expect(lastSearch).toContain('model=custom'));
    await waitFor(() => expect(decodeURIComponent(lastSearch)).toContain('kvHeads:8'));

    await user.clear(kv);
    await user.type(kv, '5');
    await user.click(screen.getByRole('button', { name: 'Use these numbers' }));
    expect(screen.getByRole('alert').textContent).toMatch(/kvHeads/);

    const paste = screen.getByLabelText(/paste a Hugging Face config.json/);
    await user.click(paste);
    await user.paste('{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "vocab_size": 50257}');
    await user.click(screen.getByRole('button', { name: 'Read config.json' }));
    expect(screen.getByRole('alert').textContent).toContain('"n_head"');

    await user.clear(paste);
    await user.click(paste);
    await user.paste(
      '{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "vocab_size": 50257}',
    );
    await user.click(screen.getByRole('button', { name: 'Read config.json' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('verdict').textContent).toContain('Yes: up to 2×');
    expect(screen.getByRole('heading', { name: /apply to gpt2 \(pasted config\)/ })).toBeTruthy();
  });

  it('a custom chip is read from the URL and drives the roofline', () => {
    renderAt('?chip=custom&cc=peak:1e15~bandwidth:1e12~capacity:2e10');
    expect(screen.getByRole('heading', { name: /Roofline of Custom chip/ })).toBeTruthy();
    const points = markData<{ opsPerSecond: number; opsPerByte: number }>(
      /^Roofline of Custom chip/,
      'explanation',
    );
    // Attainable = min(peak, I·bandwidth) with the typed numbers.
    for (const p of points) expect(p.opsPerSecond).toBe(Math.min(1e15, p.opsPerByte * 1e12));
  });
});
