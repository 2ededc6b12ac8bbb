import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PlotFigureProps } from '../../components/charts/PlotFigure';
import { requireModel } from '../../roofline';
import { renderExplorerAt } from './explorerKit';

// The charts are not under test here; a stand-in keeps the page light.
vi.mock('../../components/charts/PlotFigure', () => ({
  PlotFigure: (props: PlotFigureProps) => <div role="figure" aria-label={props.ariaLabel} />,
}));

const exactN = () => Number((screen.getByLabelText('exact n') as HTMLInputElement).value);
const viewsContext = () =>
  Number((document.querySelector('.explorer-views') as HTMLElement).dataset.context);

describe('the explorer opens at a context the model can run (issue 20)', () => {
  it.each([
    // Positions from each model's config.json (GPT-2 XL n_positions; Llama-3-8B
    // max_position_embeddings; Whisper-large-v3: 1,500 encoder + 448 decoder positions).
    ['gpt-2-xl', 1024],
    ['llama-3-8b', 8192],
    ['whisper-large-v3', 1500 + 448],
  ])('%s starts at n = %i', (id, n) => {
    expect(requireModel(id).contextLength).toBe(n);
    renderExplorerAt(`?model=${id}`);
    expect(exactN()).toBe(n);
    expect(viewsContext()).toBe(n);
  });

  it('a link that names n keeps it', () => {
    renderExplorerAt('?model=gpt-2-xl&n=4096');
    expect(exactN()).toBe(4096);
  });

  it('choosing a model sets n to its own context', async () => {
    const user = userEvent.setup();
    renderExplorerAt('?n=65536');
    expect(exactN()).toBe(65536);
    await user.selectOptions(screen.getByLabelText('Model'), 'gpt-2-xl');
    expect(exactN()).toBe(1024);
    await user.selectOptions(screen.getByLabelText('Model'), 'whisper-large-v3');
    expect(exactN()).toBe(1948);
    await user.selectOptions(screen.getByLabelText('Model'), 'phi-3-mini-128k');
    expect(exactN()).toBe(128 * 1024);
  });
});
