import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { HomePage } from '../../app/pages/HomePage';
import { lessons } from '../../lessons/registry';

describe('home page start button (issue 20)', () => {
  it('"Start with lesson 1 →" opens the first lesson and comes before the table', () => {
    const router = createMemoryRouter([{ path: '/', element: <HomePage /> }]);
    render(<RouterProvider router={router} />);
    const start = screen.getByRole('link', { name: 'Start with lesson 1 →' });
    expect(start.getAttribute('href')).toBe(`/lessons/${lessons[0].slug}`);
    expect(start.parentElement?.textContent).toContain(lessons[0].title);
    // Before "By the numbers" and the cards, in reading order.
    const table = screen.getByRole('table');
    expect(start.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
