/**
 * How the lessons name things (issue 20): the paper numbers its alternatives “option 1” and
 * “option 2” separately in §2 (decode order), §3 (right inverse or X-cache) and §4 (K-caches or
 * E-cache), so a lesson names each by what it caches or computes and gives the option number only
 * inside “(paper §x, option N)”; and matrix names are typeset (W with a subscript), never written
 * plainly as W_K, in prose, tables, choices or the engine's messages a lesson shows. Each lesson is
 * rendered once with every checkpoint revealed; the lessons that show engine refusals once more,
 * with weights the engine refuses.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { plainText, preloadLessons, readerText, renderLesson, revealEverything } from './lessonKit';
import { bareOptions } from '../shared/optionNames';

vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => preloadLessons());

/** Plain matrix names (W_K, W_KV, W_{…}) in the article's text outside formulas and charts. */
const plainMatrixNames = (article: HTMLElement) =>
  [...plainText(article).matchAll(/.{0,30}W_[A-Z{].{0,10}/g)].map((m) => m[0]);

function expectNamed() {
  const article = screen.getByRole('article');
  // Formulas included: \text{slim, option 2} inside a formula is read as well.
  expect(bareOptions(readerText(article))).toEqual([]);
  expect(plainMatrixNames(article)).toEqual([]);
}

describe('lessons name schemes and typeset matrices', () => {
  it.each(lessons.map((l) => l.slug))('%s', (slug) => {
    renderLesson(`/lessons/${slug}`);
    revealEverything();
    expectNamed();
  });
});

describe('… also where the engine refuses the weights', () => {
  // A W_K with two equal rows: singular.
  const singular = encodeURIComponent('1,1,0,0;1,1,0,0;0,0,1,0;0,0,0,1');

  it('invert-wk, broken by its button: why W_K has no inverse', () => {
    renderLesson('/lessons/invert-wk');
    fireEvent.click(screen.getByRole('button', { name: /Break it/ }));
    revealEverything();
    expect(document.querySelector('.singular-explanation')).not.toBeNull();
    expectNamed();
  });

  it('non-square, W_K of rank 1: the right inverse refused', () => {
    renderLesson('/lessons/non-square');
    fireEvent.click(screen.getByRole('button', { name: 'Make W_K rank 1' }));
    expect(screen.getByTestId('rank-refusal')).toBeTruthy();
    expectNamed();
  });

  it.each(['generate', 'encoder-decoder'])('%s with a singular W_K', (slug) => {
    renderLesson(`/lessons/${slug}?wk=${singular}`);
    expect(screen.getAllByRole('alert').length).toBeGreaterThan(0);
    expectNamed();
  });
});
