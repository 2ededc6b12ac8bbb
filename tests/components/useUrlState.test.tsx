import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider, useLocation } from 'react-router-dom';
import {
  URL_SYNC_DELAY_MS,
  UrlStateProvider,
  matrixCodec,
  numberCodec,
  useUrlSearch,
  useUrlState,
} from '../../components/useUrlState';

const DEFAULT_MATRIX = [
  [1, 0],
  [0, 1],
];

/** Shows the address the router renders. */
function LocationProbe() {
  return <output data-testid="search">{useLocation().search}</output>;
}

function Counter({ batch }: { batch: boolean }) {
  const [n, setN] = useUrlState('n', numberCodec, 0, { batch });
  const [m, setM] = useUrlState('m', matrixCodec, DEFAULT_MATRIX, { batch });
  const search = useUrlSearch();
  return (
    <>
      <output data-testid="n">{n}</output>
      <output data-testid="m">{matrixCodec.serialize(m)}</output>
      <output data-testid="now">{search.toString()}</output>
      <button onClick={() => setN(n + 1)}>n+1</button>
      <button onClick={() => setN(0)}>n=0</button>
      <button
        onClick={() =>
          setM([
            [2, 3],
            [4, 5],
          ])
        }
      >
        set m
      </button>
    </>
  );
}

function setup(entries: string[], { batch = true, provider = true } = {}) {
  const element = (
    <>
      <Counter batch={batch} />
      <LocationProbe />
    </>
  );
  const router = createMemoryRouter(
    [{ path: '/p', element: provider ? <UrlStateProvider>{element}</UrlStateProvider> : element }],
    { initialEntries: entries, initialIndex: entries.length - 1 },
  );
  render(<RouterProvider router={router} />);
  // Count the router's location changes (each URL write is one).
  const locations: string[] = [];
  router.subscribe((s) => locations.push(s.location.search));
  return { router, locations };
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('useUrlState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads typed values from the URL and falls back to the default for unreadable text', () => {
    setup(['/p?n=5&m=1,2;3,4']);
    expect(text('n')).toBe('5');
    expect(text('m')).toBe('1,2;3,4');
    act(() => vi.runAllTimers());
    setup(['/p?n=five&m=1,2;3']);
    expect(screen.getAllByTestId('n')[1].textContent).toBe('0');
    expect(screen.getAllByTestId('m')[1].textContent).toBe('1,0;0,1');
  });

  it('batching: state updates at once, the URL once after the quiet period', () => {
    const { router, locations } = setup(['/p']);
    fireEvent.click(screen.getByText('n+1'));
    // Applied in the same render, before any timer runs; the URL is untouched.
    expect(text('n')).toBe('1');
    expect(text('now')).toBe('n=1');
    expect(router.state.location.search).toBe('');
    fireEvent.click(screen.getByText('n+1'));
    fireEvent.click(screen.getByText('set m'));
    act(() => vi.advanceTimersByTime(URL_SYNC_DELAY_MS - 1));
    expect(router.state.location.search).toBe('');
    expect(locations).toEqual([]);
    act(() => vi.advanceTimersByTime(1));
    // All three changes in one write, replacing the history entry.
    expect(locations).toEqual(['?n=2&m=2%2C3%3B4%2C5']);
    expect(router.state.historyAction).toBe('REPLACE');
    expect(text('n')).toBe('2');
    expect(text('search')).toBe('?n=2&m=2%2C3%3B4%2C5');
  });

  it('round trip: a written URL reads back as the same values; the default leaves the URL', () => {
    const { router } = setup(['/p']);
    fireEvent.click(screen.getByText('n+1'));
    fireEvent.click(screen.getByText('set m'));
    act(() => vi.advanceTimersByTime(URL_SYNC_DELAY_MS));
    const written = router.state.location.search;
    act(() => vi.runAllTimers());
    setup([`/p${written}`]);
    expect(screen.getAllByTestId('n')[1].textContent).toBe('1');
    expect(screen.getAllByTestId('m')[1].textContent).toBe('2,3;4,5');
    // Back to the default: the key disappears from the URL.
    fireEvent.click(screen.getAllByText('n=0')[0]);
    act(() => vi.advanceTimersByTime(URL_SYNC_DELAY_MS));
    expect(router.state.location.search).toBe('?m=2%2C3%3B4%2C5');
  });

  it('back/forward navigation updates the state and drops changes not yet written', async () => {
    const { router } = setup(['/p?n=1', '/p?n=2']);
    expect(text('n')).toBe('2');
    fireEvent.click(screen.getByText('n+1'));
    expect(text('n')).toBe('3');
    await act(() => router.navigate(-1));
    expect(text('n')).toBe('1');
    // The pending write of n = 3 was dropped: the address from history wins.
    act(() => vi.advanceTimersByTime(2 * URL_SYNC_DELAY_MS));
    expect(router.state.location.search).toBe('?n=1');
    expect(text('n')).toBe('1');
    await act(() => router.navigate(1));
    expect(text('n')).toBe('2');
    // After a written change, back and forward still show the history's values.
    fireEvent.click(screen.getByText('n+1'));
    act(() => vi.advanceTimersByTime(URL_SYNC_DELAY_MS));
    expect(router.state.location.search).toBe('?n=3');
    await act(() => router.navigate(-1));
    expect(text('n')).toBe('1');
    await act(() => router.navigate(1));
    expect(text('n')).toBe('3');
  });

  it('without batching the URL is written at once, with or without a provider', () => {
    for (const provider of [true, false]) {
      const { router } = setup(['/p'], { batch: false, provider });
      fireEvent.click(screen.getAllByText('n+1').at(-1)!);
      expect(router.state.location.search).toBe('?n=1');
      expect(screen.getAllByTestId('n').at(-1)!.textContent).toBe('1');
    }
  });

  it('batching outside a provider is an error that names the key', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // The router's error boundary catches it and shows the message.
    setup(['/p'], { provider: false });
    expect(
      screen.getByRole('heading', {
        name: /useUrlState\('n', \{ batch \}\) needs a <UrlStateProvider>/,
      }),
    ).toBeTruthy();
  });
});
