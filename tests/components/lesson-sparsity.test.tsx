/**
 * Lesson 10, Sparsity (paper Appendix D; Appendix G's S^g): the lesson fetches moby-gpt2 (served
 * here from public/models by a stubbed fetch) and every number it shows is checked against an
 * independent float64 forward pass of the same checkpoint (tests/shared/tinyModels.ts: plain
 * loops, no engine code) and against the paper's figures (S = 0.8 → 5x, 0.8^4 = 0.41).
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { SPARSITY_DEFAULT_PROMPT, SPARSITY_MAX_TOKENS } from '../../lessons/sparsity';
import { bufferSource } from '../../engine/io';
import { loadTokenizer, readModel, type HostModel, type ModelTokenizer } from '../../engine/models';
import { referenceLogits, type ReferenceAttentionRows } from '../shared/tinyModels';
import { answerAsking, byId, lessonRenderer, preloadLessons } from './lessonKit';

// Reading moby-gpt2 (in beforeAll, or through the lesson in each test) and running it takes
// seconds on two shared cores: those hooks and tests set a 60 s timeout.

const DIR = 'public/models/moby-gpt2';
const WAIT = { timeout: 30_000 };

/** fetch served from public/models; `fail` answers one file with an HTTP error instead. */
function serveModels(fail?: { file: string; status: number }) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (input: string | URL) => {
    const path = new URL(String(input)).pathname;
    calls.push(path);
    const file = path.replace(/^.*\/models\//, '');
    if (fail && file.endsWith(fail.file)) return new Response('no', { status: fail.status });
    return new Response(readFileSync(`public/models/${file}`));
  });
  return calls;
}

let host: HostModel;
let tokenizer: ModelTokenizer;
beforeAll(async () => {
  const files = new Map(
    ['config.json', 'model.safetensors', 'tokenizer.json'].map((f) => [
      f,
      bufferSource(new Uint8Array(readFileSync(`${DIR}/${f}`)), f),
    ]),
  );
  host = await readModel(files);
  const t = await loadTokenizer(files);
  if (!t) throw new Error('moby-gpt2 has no tokenizer');
  tokenizer = t;
}, 60_000);

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

// ------------------------------------------------------------ the independent reference

/** Every layer's q, k, v rows of the float64 reference forward. */
function referenceRows(ids: number[]): ReferenceAttentionRows[] {
  const f = host.spec.familyConfig;
  if (f.family !== 'gpt2') throw new Error('moby-gpt2 is a GPT-2');
  const layers: ReferenceAttentionRows[] = [];
  referenceLogits('gpt2', f.config, host.weights, ids, (l, rows) => (layers[l] = rows));
  return layers;
}

/** Softmax weights of the last query in head h (plain loops). */
function lastRow(rows: ReferenceAttentionRows, heads: number, h: number): number[] {
  const n = rows.q.length;
  const dk = rows.q[0].length / heads;
  const q = rows.q[n - 1];
  const scores = rows.k.map((k) => {
    let s = 0;
    for (let c = 0; c < dk; c++) s += q[h * dk + c] * k[h * dk + c];
    return s / Math.sqrt(dk);
  });
  const top = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - top));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** What the lesson should show for one head at threshold tau. */
function expected(rows: ReferenceAttentionRows, heads: number, h: number, tau: number) {
  const p = lastRow(rows, heads, h);
  const n = p.length;
  const dk = rows.v[0].length / heads;
  const skipped = p.filter((s) => s < tau).length;
  let error = 0;
  let scale = 0;
  for (let c = 0; c < dk; c++) {
    let dense = 0;
    let sparse = 0;
    p.forEach((s, j) => {
      dense += s * rows.v[j][h * dk + c];
      if (s >= tau) sparse += s * rows.v[j][h * dk + c];
    });
    error = Math.max(error, Math.abs(dense - sparse));
    scale = Math.max(scale, Math.abs(dense));
  }
  const sparsity = skipped / n;
  return { p, n, skipped, sparsity, work: n / (n - skipped), error, relative: error / scale };
}

/**
 * Shared rows among the layer's first four heads (all of them when it has four): heads
 * [k·g, (k+1)·g) skip row j together only if all weigh it below tau.
 */
function grouped(rows: ReferenceAttentionRows, heads: number, g: number, tau: number) {
  const used = Math.min(heads, 4);
  const p = Array.from({ length: used }, (_, h) => lastRow(rows, heads, h));
  const n = p[0].length;
  let skipped = 0;
  for (let k = 0; k < used / g; k++)
    for (let j = 0; j < n; j++)
      if (p.slice(k * g, (k + 1) * g).every((row) => row[j] < tau)) skipped++;
  const single = p.flat().filter((s) => s < tau).length / (used * n);
  const measured = skipped / ((used / g) * n);
  return { single, independent: single ** g, measured, work: 1 / (1 - measured) };
}

// ------------------------------------------------------------ helpers

const renderLesson = lessonRenderer('sparsity');
beforeAll(() => preloadLessons('sparsity'));
const num = (id: string) => byId(id, /×$/);
/** Three significant digits, as the lesson prints. */
const close3 = (got: number, want: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(5e-3 * Math.abs(want) + 1e-300);

/** Waits until the model has run on the current prompt, layer and head. */
async function ready(label: RegExp) {
  await screen.findByRole('figure', { name: label }, WAIT);
  await vi.waitFor(() => expect(screen.queryByTestId('probe-status')).toBeNull(), WAIT);
}

function checkResults(want: ReturnType<typeof expected>) {
  for (const side of ['standard', 'slim']) {
    expect(num(`skipped-${side}`)).toBe(want.skipped);
    close3(num(`sparsity-${side}`), want.sparsity);
    close3(num(`work-${side}`), want.work);
    close3(num(`error-${side}`), want.error);
    close3(num(`relerror-${side}`), want.relative);
  }
  expect(num('diff-f64')).toBeLessThan(1e-12);
  expect(num('diff-f32')).toBeLessThan(1e-4);
}

// ------------------------------------------------------------ tests

describe('registry', () => {
  it('sparsity follows the encoder–decoder lesson, with its two checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    expect(slugs[slugs.indexOf('encoder-decoder') + 1]).toBe('sparsity');
    expect(lessons.find((l) => l.slug === 'sparsity')?.checkpoints).toEqual([
      'sparsity-work',
      'sparsity-gqa',
    ]);
  });
});

describe('lesson 10: Sparsity on moby-gpt2', () => {
  it('loads the model, shows the real row, and every number matches the float64 reference', async () => {
    const calls = serveModels();
    renderLesson();
    expect(screen.getByTestId('model-status').textContent).toMatch(/Loading moby-gpt2/);
    await ready(/head 1 of layer 2/);
    expect(calls.map((c) => c.replace(/^.*\/models\//, ''))).toEqual([
      'moby-gpt2/config.json',
      'moby-gpt2/model.safetensors',
      'moby-gpt2/tokenizer.json',
    ]);
    const ids = tokenizer.encode(SPARSITY_DEFAULT_PROMPT);
    expect(num('token-count')).toBe(ids.length);
    const rows = referenceRows(ids);
    const heads = host.spec.heads;

    // Nothing answers the first checkpoint before it is revealed.
    expect(screen.queryByTestId('skipped-standard')).toBeNull();
    const cp = answerAsking(/how many\s+times less/, '5×');
    expect(cp.querySelector('.checkpoint-choice.right')?.textContent).toBe('5×');
    expect(cp.textContent).toMatch(/1\/\(1 − 0\.8\) = 5×/);

    // Layer 2, head 1 at the default τ = 0.02: the paper's regime, about 80% skipped.
    const atDefault = expected(rows[1], heads, 0, 0.02);
    expect(atDefault.sparsity).toBeGreaterThan(0.6);
    checkResults(atDefault);

    // Raise the threshold: more rows skipped, still equal in both orders.
    fireEvent.change(screen.getByRole('slider', { name: 'threshold τ' }), {
      target: { value: '0.1' },
    });
    const high = expected(rows[1], heads, 0, 0.1);
    expect(high.skipped).toBeGreaterThan(atDefault.skipped);
    checkResults(high);
    // τ = 0 skips nothing: no error, no gain.
    fireEvent.change(screen.getByRole('slider', { name: 'threshold τ' }), {
      target: { value: '0' },
    });
    expect(num('skipped-standard')).toBe(0);
    expect(num('error-slim')).toBe(0);
    expect(num('work-standard')).toBe(1);

    // GQA: hidden until the second checkpoint is revealed; then the formula and real heads.
    fireEvent.change(screen.getByRole('slider', { name: 'threshold τ' }), {
      target: { value: '0.04' },
    });
    expect(screen.queryByTestId('gqa-measured-4')).toBeNull();
    const gqa = answerAsking(/g = 4/, '41%');
    expect(gqa.querySelector('.checkpoint-choice.right')?.textContent).toBe('41%');
    expect(gqa.textContent).toMatch(/= 0\.41/);
    for (const g of [1, 2, 4]) {
      const want = grouped(rows[1], heads, g, 0.04);
      close3(num(`gqa-head-${g}`), want.single);
      close3(num(`gqa-independent-${g}`), want.independent);
      close3(num(`gqa-measured-${g}`), want.measured);
      close3(num(`gqa-work-${g}`), want.work);
    }
    expect(num('gqa-measured-4')).toBeLessThan(num('gqa-measured-1'));

    // RoPE note: keys kept by any head, and the un-rotations they need (e/2 pairs each).
    const all = Array.from({ length: heads }, (_, h) => lastRow(rows[1], heads, h));
    const kept = all[0].filter((_, j) => all.some((row) => row[j] >= 0.04)).length;
    expect(num('rope-kept')).toBe(kept);
    expect(byId('rope-unrotate-kept', /,/g)).toBe((kept * host.spec.d) / 2);
    expect(byId('rope-unrotate-all', /,/g)).toBe((ids.length * host.spec.d) / 2);
  }, 60_000);

  it('another layer, head and prompt: the row and the results follow', async () => {
    serveModels();
    renderLesson('?layer=3&head=2&tau=0.03');
    await ready(/head 2 of layer 3/);
    answerAsking(/how many\s+times less/, '5×');
    let ids = tokenizer.encode(SPARSITY_DEFAULT_PROMPT);
    checkResults(expected(referenceRows(ids)[2], host.spec.heads, 1, 0.03));

    fireEvent.change(screen.getByRole('combobox', { name: /head/ }), { target: { value: '4' } });
    await ready(/head 4 of layer 3/);
    checkResults(expected(referenceRows(ids)[2], host.spec.heads, 3, 0.03));

    const prompt = 'The whale swam on, and the sea rolled as it rolled five thousand years ago.';
    fireEvent.change(screen.getByRole('textbox', { name: 'Prompt' }), {
      target: { value: prompt },
    });
    ids = tokenizer.encode(prompt);
    await vi.waitFor(() => expect(num('token-count')).toBe(ids.length), WAIT);
    await ready(/head 4 of layer 3/);
    checkResults(expected(referenceRows(ids)[2], host.spec.heads, 3, 0.03));
  }, 60_000);

  it('says clearly when a prompt is too short or too long', async () => {
    serveModels();
    renderLesson();
    await ready(/head 1 of layer 2/);
    const box = screen.getByRole('textbox', { name: 'Prompt' });
    fireEvent.change(box, { target: { value: 'C' } });
    // What is wrong and what to do, not the exact sentence.
    const tooShort = screen.getByTestId('prompt-problem').textContent;
    expect(tooShort).toMatch(/longer prompt/);
    expect(tooShort).toMatch(/at least one earlier token/);
    const long = 'Call me Ishmael. '.repeat(12);
    fireEvent.change(box, { target: { value: long } });
    const n = tokenizer.encode(long).length;
    expect(n).toBeGreaterThan(SPARSITY_MAX_TOKENS);
    const tooLong = screen.getByTestId('prompt-problem').textContent ?? '';
    expect(tooLong).toMatch(new RegExp(`\\b${n} tokens\\b`));
    expect(tooLong).toMatch(new RegExp(`at most ${SPARSITY_MAX_TOKENS}\\b`));
    expect(tooLong).toMatch(/Shorten/);
    expect(tooLong.match(/\d+/g)?.map(Number)).toEqual([n, SPARSITY_MAX_TOKENS]);
  }, 60_000);

  it('a failed fetch is named in a sentence, and "Load the model again" loads it', async () => {
    serveModels({ file: 'model.safetensors', status: 404 });
    renderLesson();
    const error = await screen.findByTestId('model-error', undefined, WAIT);
    // A sentence naming the model, the file and the HTTP status.
    const message = (error.textContent ?? '').trim();
    expect(message).toMatch(/^[A-Z].*\.$/);
    expect(message).toMatch(/could not load the model moby-gpt2/);
    expect(message).toMatch(/moby-gpt2\/model\.safetensors could not be fetched/);
    expect(message).toMatch(/\bHTTP 404\b/);
    // The text and the checkpoints still work without the model.
    answerAsking(/how many\s+times less/, '5×');
    expect(screen.getByText(/results appear once the model has run/)).toBeTruthy();
    serveModels();
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Load the model again' })),
    );
    await ready(/head 1 of layer 2/);
    expect(screen.queryByTestId('model-error')).toBeNull();
    expect(num('skipped-standard')).toBeGreaterThan(0);
  }, 60_000);
});
