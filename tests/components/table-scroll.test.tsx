import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { hiddenEdges, TableScroll } from '../../components/TableScroll';

describe('TableScroll (issue 20: tables on a 390 px phone)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hiddenEdges: nothing hidden when the table fits, each side when it is scrolled from it', () => {
    expect(hiddenEdges({ scrollLeft: 0, scrollWidth: 300, clientWidth: 300 })).toEqual({
      before: false,
      after: false,
      below: false,
    });
    expect(hiddenEdges({ scrollLeft: 0, scrollWidth: 700, clientWidth: 358 })).toEqual({
      before: false,
      after: true,
      below: false,
    });
    expect(hiddenEdges({ scrollLeft: 100, scrollWidth: 700, clientWidth: 358 })).toEqual({
      before: true,
      after: true,
      below: false,
    });
    expect(hiddenEdges({ scrollLeft: 342, scrollWidth: 700, clientWidth: 358 })).toEqual({
      before: true,
      after: false,
      below: false,
    });
  });

  it('hiddenEdges: a box with a maximum height hides rows below until scrolled down', () => {
    const box = { scrollLeft: 0, scrollWidth: 300, clientWidth: 300, scrollHeight: 900 };
    expect(hiddenEdges({ ...box, clientHeight: 512, scrollTop: 0 }).below).toBe(true);
    expect(hiddenEdges({ ...box, clientHeight: 512, scrollTop: 388 }).below).toBe(false);
    expect(hiddenEdges({ ...box, clientHeight: 900, scrollTop: 0 }).below).toBe(false);
  });

  it('a table wider than its box gets a focusable named region and a visible cue', () => {
    // jsdom lays nothing out: give the box a phone's width and the table 700 px.
    vi.spyOn(HTMLElement.prototype, 'scrollWidth', 'get').mockReturnValue(700);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(358);
    render(
      <TableScroll label="Per-layer check">
        <table>
          <tbody>
            <tr>
              <td>1</td>
            </tr>
          </tbody>
        </table>
      </TableScroll>,
    );
    const region = screen.getByRole('region', { name: 'Per-layer check, scrolls' });
    expect(region.getAttribute('tabindex')).toBe('0');
    expect(screen.getByText('Scroll sideways for more →')).toBeTruthy();
    expect(region.parentElement?.hasAttribute('data-hidden-after')).toBe(true);

    // Scrolled to the end: the cue points back, the left shadow shows.
    vi.spyOn(HTMLElement.prototype, 'scrollLeft', 'get').mockReturnValue(342);
    act(() => {
      region.dispatchEvent(new Event('scroll'));
    });
    expect(screen.getByText('← Scroll back for the first columns')).toBeTruthy();
    expect(region.parentElement?.hasAttribute('data-hidden-before')).toBe(true);
    expect(region.parentElement?.hasAttribute('data-hidden-after')).toBe(false);
  });

  it('a table that fits is plain: no region, no tab stop, no cue', () => {
    render(
      <TableScroll label="Small">
        <table>
          <tbody>
            <tr>
              <td>1</td>
            </tr>
          </tbody>
        </table>
      </TableScroll>,
    );
    expect(screen.queryByRole('region')).toBeNull();
    expect(document.querySelector('[tabindex]')).toBeNull();
    expect(screen.queryByText(/Scroll/)).toBeNull();
  });
});
