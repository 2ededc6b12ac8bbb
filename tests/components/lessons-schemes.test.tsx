/** The lessons index (its count) and the "Schemes at a glance" page (issue 20). */
import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { LessonsIndexPage } from '../../app/pages/LessonsIndexPage';
import { lessons } from '../../lessons/registry';
import { SchemesPage } from '../../lessons/schemes/SchemesPage';
import { SCHEMES_PATH } from '../../lessons/schemes/path';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/lessons" element={<LessonsIndexPage />} />
        <Route path={SCHEMES_PATH} element={<SchemesPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

const NUMBER_WORDS = /\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b/i;

describe('/lessons', () => {
  it('counts the lessons it lists', () => {
    renderAt('/lessons');
    const lead = document.querySelector('.lead')?.textContent ?? '';
    const listed = screen.getAllByRole('listitem').length;
    expect(listed).toBe(lessons.length);
    expect(lead).toContain(`${listed} short lessons`);
    expect(lead).not.toMatch(NUMBER_WORDS);
  });

  it('links the schemes table', () => {
    renderAt('/lessons');
    const link = screen.getByRole('link', { name: 'Schemes at a glance' });
    expect(link.getAttribute('href')).toBe(SCHEMES_PATH);
  });
});

describe('Schemes at a glance', () => {
  const cell = (id: string) => Number(screen.getByTestId(id).textContent?.replace('×', ''));

  it('gives every scheme its cache factor as the paper prints it', () => {
    renderAt(SCHEMES_PATH);
    // Paper §1: K only is half of K and V; Appendix C: V only, the same.
    expect(cell('scheme-k-cache-smaller')).toBe(2);
    expect(cell('scheme-v-cache-smaller')).toBe(2);
    // Paper §3, Tables 4–5: T5-11B, d = 1,024, e = 16,384, r = 16: the X-cache is 2r = 32× smaller.
    expect(cell('scheme-x-cache-smaller')).toBe(32);
    // Paper §4, Table 7: Whisper's option 2 cache is 8.7× smaller.
    expect(cell('scheme-e-cache-smaller')).toBeCloseTo(8.7, 1);
    // Appendix G: CodeGemma-7B's c = 2.67.
    expect(cell('scheme-d-wide-cache-smaller')).toBeCloseTo(2.67, 2);
  });

  it('gives the extra OPs from paper Table 2 and §3', () => {
    renderAt(SCHEMES_PATH);
    // Table 2: attention core 2nd(h+1) against 4nd, h = 32 (CodeLlama-7B): (h+1)/2.
    expect(cell('scheme-k-cache-ops')).toBe(16.5);
    // §3: per head d-wide rows instead of d_k-wide: h·d/e = 128·1024/16384.
    expect(cell('scheme-x-cache-ops')).toBe(8);
  });

  it('links every scheme to the lesson that teaches it, by title', () => {
    renderAt(SCHEMES_PATH);
    for (const id of ['k-cache', 'v-cache', 'x-cache', 'e-cache', 'd-wide-cache']) {
      const links = within(screen.getByTestId(`scheme-${id}`)).getAllByRole('link');
      expect(links.length).toBeGreaterThan(0);
      for (const a of links) {
        const l = lessons.find((m) => a.getAttribute('href') === `/lessons/${m.slug}`);
        // Its accessible name is the title in words (a typeset W_K is named in words).
        expect(within(a.parentElement!).getAllByRole('link', { name: l?.title })).toContain(a);
      }
    }
  });
});
