import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import type { PlotFigureProps } from '../../components/charts/PlotFigure';
import { ViewsErrorBoundary } from '../../explorer/ViewsErrorBoundary';
import { customModelCodec, DEFAULT_CUSTOM_MODEL } from '../../explorer/state';
import { renderExplorerAt } from './explorerKit';

// Charts are not what these tests are about; a stand-in keeps jsdom fast.
vi.mock('../../components/charts/PlotFigure', () => ({
  PlotFigure: (props: PlotFigureProps) => <div role="figure" aria-label={props.ariaLabel} />,
}));

const renderAt = renderExplorerAt;

const good = 'name:X~params:1000000000~d:1024~layers:8~heads:8~kvHeads:8~headDim:128';
const badLinks = {
  'fractional d': good.replace('d:1024', 'd:100.5'),
  'kvHeads not dividing heads': good.replace('heads:8~kvHeads:8', 'heads:3~kvHeads:2'),
};

describe('explorer: hand-edited custom-model links', () => {
  it('the codec accepts a good link and refuses both bad ones', () => {
    expect(customModelCodec.parse(good)?.d).toBe(1024);
    for (const link of Object.values(badLinks))
      expect(customModelCodec.parse(link)).toBeUndefined();
  });

  it.each(Object.entries(badLinks))('%s: the page renders the default custom model', (_, link) => {
    renderAt(`?model=custom&cm=${encodeURIComponent(link)}`);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toMatch(/explorer/i);
    expect(screen.queryByRole('alert')).toBeNull();
    // Views drew (charts present), with the default custom model's width.
    expect(screen.getAllByRole('figure').length).toBeGreaterThan(0);
    // The views use the default custom model; the link's problem is named above them.
    expect(document.querySelector('.explorer-views')?.textContent).not.toContain('100.5');
    expect(screen.getByTestId('explorer-warnings').textContent).toMatch(
      /^The link's custom model cannot be used, so a default one is shown\. (The d field|Field "kvHeads")/,
    );
    expect(DEFAULT_CUSTOM_MODEL.d).toBeGreaterThan(0);
  });
});

function Thrower({ fail }: { fail: boolean }) {
  if (fail) throw new Error('heads h = 3 must be a multiple of kvHeads h_kv = 2');
  return <p>views</p>;
}

describe('ViewsErrorBoundary', () => {
  it('shows the message in place of the views and clears when the setup changes', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { rerender } = render(
      <ViewsErrorBoundary resetKey="a">
        <Thrower fail />
      </ViewsErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toContain('must be a multiple of kvHeads');
    rerender(
      <ViewsErrorBoundary resetKey="b">
        <Thrower fail={false} />
      </ViewsErrorBoundary>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('views')).toBeTruthy();
    spy.mockRestore();
  });
});
