import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import ExplorerPage from '../../explorer/ExplorerPage';
import {
  customChipCodec,
  customModelCodec,
  DEFAULT_CUSTOM_MODEL,
  linkProblems,
  readCustomChip,
} from '../../explorer/state';

/**
 * The explorer items of issue 10 ("Explorer and charts"), with real Observable Plot in jsdom:
 * tick units, one capacity unit, one colour per series, warnings, link and paste messages, and
 * the roofline words explained with the chip's numbers.
 */
function renderAt(search: string) {
  return render(
    <MemoryRouter initialEntries={[`/explorer${search}`]}>
      <ExplorerPage />
    </MemoryRouter>,
  );
}

function figure(name: string | RegExp): HTMLElement {
  return screen.getByRole('figure', { name });
}

/** The tick labels of a chart's y (or x) axis, as Plot draws them. */
function ticks(chart: HTMLElement, axis: 'x' | 'y'): string[] {
  const g = chart.querySelector(`g[aria-label="${axis}-axis tick label"]`);
  return [...(g?.querySelectorAll('text') ?? [])].map((t) => t.textContent ?? '');
}

/** Legend label → swatch colour of a chart (Plot's swatches legend). */
function legend(chart: HTMLElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const swatch of chart.querySelectorAll('[class$="-swatch"]')) {
    const fill = swatch.querySelector('svg')?.getAttribute('fill');
    const label = swatch.textContent?.trim();
    if (fill && label) out.set(label, fill);
  }
  return out;
}

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('explorer charts (issue 10)', () => {
  it('tick labels carry their unit: bytes on the memory axis, OPS on the roofline', () => {
    renderAt('?model=llama-3-8b&batch=64');
    const memory = ticks(figure('Memory versus context length'), 'y');
    expect(memory.length).toBeGreaterThan(2);
    for (const t of memory.filter((t) => t !== '')) expect(t).toMatch(/^[\d.]+ [kMGTPE]?B$/);
    const roof = figure(/^Roofline of NVIDIA H200/);
    for (const t of ticks(roof, 'y').filter((t) => t !== ''))
      expect(t).toMatch(/^[\d.]+ [kMGTPE]?OPS$/);
    const all = [...document.querySelectorAll('g[aria-label$="tick label"] text')].map(
      (t) => t.textContent ?? '',
    );
    // No SI letter glued to a bare number ("200m", "1G", "10k") on any axis.
    for (const t of all) expect(t).not.toMatch(/\d[mµnkGT]$/);
  });

  it('one capacity unit per chip: TPU v4 is 34.4 GB in the picker and on the chart', () => {
    renderAt('?chip=google-tpu-v4');
    const chipDetail = document.querySelectorAll('.picker-detail')[1];
    // Decimal like every other size (issue 20), with the size it is sold as after it.
    expect(chipDetail?.textContent).toContain('34.4 GB (32 GiB)');
    expect(figure('Memory versus context length').textContent).toContain('Google TPU v4: 34.4 GB');
    expect(document.querySelector('.explorer-views')?.textContent).not.toContain('GiB');
  });

  it('one colour per series across views; batch curves are readable on both themes', () => {
    renderAt('?model=phi-3-mini-128k');
    const memory = legend(figure('Memory versus context length'));
    const intensity = legend(figure('Arithmetic intensity versus context length'));
    const roofline = legend(figure(/^Roofline of/));
    const vanilla = memory.get('standard KV-cache');
    expect(vanilla).toMatch(/^#/);
    expect(intensity.get('vanilla (K and V cached)')).toBe(vanilla);
    expect(roofline.get('attention, vanilla (K and V cached)')).toBe(vanilla);
    expect(roofline.get('whole decode step, standard')).toBe(vanilla);
    const slim = [...memory.entries()].find(([k]) => k.startsWith('slim'))?.[1];
    expect(roofline.get('whole decode step, slim')).toBe(slim);
    expect(slim).not.toBe(vanilla);
    const speedup = legend(figure('Memory-bound decode speedup'));
    const b1 = speedup.get('B = 1') as string;
    expect(b1).toMatch(/^#[0-9a-f]{6}$/i);
    // White (light theme) and #0f172a (dark theme), the app's two backgrounds.
    expect(contrast(b1, '#ffffff')).toBeGreaterThanOrEqual(3);
    expect(contrast(b1, '#0f172a')).toBeGreaterThanOrEqual(3);
  });

  it('explains roofline, intensity, ridge and memory/compute bound with the chip numbers', () => {
    renderAt('');
    const words = screen.getByTestId('words-roofline');
    // H200 at fp8: 1,978.9 TOPS ÷ 4.8 TB/s = 412.3 OPs per byte.
    const ridge = Math.round(1978.9e12 / 4.8e12);
    expect(ridge).toBe(412);
    const text = words.textContent ?? '';
    for (const phrase of [
      'Arithmetic intensity',
      'Ridge point',
      'Memory-bound and compute-bound',
      'Roofline',
      `= ${ridge} OPs per byte on NVIDIA H200`,
      '1.98 POPS (fp8)',
      '4.8 TB/s',
    ])
      expect(text).toContain(phrase);
    expect(screen.getByTestId('words-intensity').textContent).toContain(`${ridge} OPs per byte`);
  });
});

describe('explorer warnings and messages (issue 10)', () => {
  it('a GPT-2 config charted past its 1,024 positions gets a warning', async () => {
    const user = userEvent.setup();
    renderAt('?model=custom');
    const paste = screen.getByLabelText(/paste a Hugging Face config.json/);
    await user.click(paste);
    await user.paste(
      '{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "vocab_size": 50257}',
    );
    await user.click(screen.getByRole('button', { name: 'Read config.json' }));
    // Reading the config set n to its 1,024 positions (issue 20); chart it past them.
    expect((screen.getByLabelText('exact n') as HTMLInputElement).value).toBe('1024');
    const n = screen.getByLabelText('exact n');
    await user.clear(n);
    await user.type(n, '32768');
    const warnings = screen.getByTestId('explorer-warnings').textContent ?? '';
    expect(warnings).toContain('has 1,024 positions (max_position_embeddings)');
    expect(warnings).toContain('cannot run at n = 32,768 tokens');
    expect(screen.getByTestId('memory-facts').textContent).toContain(
      "(past the model's 1,024 positions)",
    );
  });

  it('an absurd batch says the caches do not fit, not the weights', () => {
    renderAt('?batch=1000000000');
    const warnings = screen.getByTestId('explorer-warnings').textContent ?? '';
    expect(warnings).toMatch(/^At batch 1,000,000,000 the caches do not fit/);
    expect(warnings).toContain('which fit');
    const facts = screen.getByTestId('memory-facts').textContent ?? '';
    expect(facts).not.toContain('weights alone');
    expect(facts).toContain('the weights (3.8 GB) fit, but the caches of 1,000,000,000 sequences');
    expect(document.body.textContent).not.toMatch(/NaN|Infinity|∞/);
  });

  it.each([
    ['?batch=1e300', /The link's batch “1e300” is not a whole number/],
    ['?n=1e300', /The link's context length n “1e300” is not a whole number/],
    [
      '?chip=custom&cc=peak:1e-300~bandwidth:1e300~capacity:1',
      /The custom chip's peak must be between 1e9 and 1e21 OPs per second, got 1e-300/,
    ],
    [
      '?model=custom&cm=' +
        encodeURIComponent('params:1e9~d:1e300~layers:8~heads:8~kvHeads:8~headDim:128'),
      /The link's custom model cannot be used.*The d field must be at most 16,777,216/,
    ],
  ])('absurd link %s: a message naming the field, never NaN', (search, message) => {
    renderAt(search);
    expect(screen.getByTestId('explorer-warnings').textContent).toMatch(message);
    expect(document.body.textContent).not.toMatch(/NaN|Infinity|∞/);
  });

  it('a pasted hidden_size of 1e300 is refused naming the field', async () => {
    const user = userEvent.setup();
    renderAt('?model=custom');
    const paste = screen.getByLabelText(/paste a Hugging Face config.json/);
    await user.click(paste);
    await user.paste(
      '{"model_type": "llama", "hidden_size": 1e300, "num_hidden_layers": 32, "num_attention_heads": 32, "max_position_embeddings": 4096, "vocab_size": 32000, "intermediate_size": 11008}',
    );
    await user.click(screen.getByRole('button', { name: 'Read config.json' }));
    expect(screen.getByRole('alert').textContent).toBe(
      'Field "hidden_size" is 1e+300, more than 16,777,216 (2^24), larger than any model the ' +
        'cost model describes.',
    );
    expect(document.body.textContent).not.toMatch(/NaN/);
  });

  it('config paste errors appear under the paste box and read as sentences', async () => {
    const user = userEvent.setup();
    renderAt('?model=custom');
    const paste = screen.getByLabelText(/paste a Hugging Face config.json/);
    await user.click(paste);
    await user.paste('{"model_type":"mamba","d_model":768}');
    await user.click(screen.getByRole('button', { name: 'Read config.json' }));
    const alert = screen.getByRole('alert');
    // Right under the button that was pressed, and tied to the text box.
    expect(alert.closest('.paste')).toBe(paste.closest('.paste'));
    expect(paste.getAttribute('aria-describedby')).toBe(alert.id);
    const text = alert.textContent ?? '';
    expect(text).toMatch(/^This config.json is for a "mamba" model/);
    expect(text).toMatch(/\.$/);
    expect(text).not.toContain('these are known by');
    for (const sentence of text.split(/(?<=\.) /)) expect(sentence).toMatch(/^[A-Z]/);
  });

  it('the typed-numbers error appears under its own button', async () => {
    const user = userEvent.setup();
    renderAt('?model=custom');
    const form = screen.getByRole('form', { name: 'Custom model numbers' });
    const kv = within(form).getByLabelText('h_kv (KV heads)');
    await user.clear(kv);
    await user.type(kv, '5');
    await user.click(within(form).getByRole('button', { name: 'Use these numbers' }));
    expect(within(form).getByRole('alert').textContent).toMatch(/^Field "kvHeads" \(5\)/);
  });
});

describe('explorer link codec (issue 10)', () => {
  it('round-trips any model name, "~" and "%" included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const text = customModelCodec.serialize({ ...DEFAULT_CUSTOM_MODEL, name });
        expect(customModelCodec.parse(text)?.name).toBe(name);
        // And through a real query string.
        const search = new URLSearchParams({ cm: text });
        const back = new URLSearchParams(search.toString()).get('cm') as string;
        expect(customModelCodec.parse(back)?.name).toBe(name);
      }),
      { numRuns: 300 },
    );
    const tilde = { ...DEFAULT_CUSTOM_MODEL, name: 'org/model~v2' };
    expect(customModelCodec.parse(customModelCodec.serialize(tilde))).toEqual(tilde);
  });

  it('a custom chip round-trips, and its absurd numbers are named', () => {
    const chip = { peak: 1.98e15, bandwidth: 4.8e12, capacity: 141e9 };
    expect(customChipCodec.parse(customChipCodec.serialize(chip))).toEqual(chip);
    expect(readCustomChip('peak:1e15~bandwidth:1e300~capacity:1e10')).toEqual({
      problem:
        "The custom chip's bandwidth must be between 1e6 and 1e18 bytes per second, got 1e300.",
    });
    expect(linkProblems(new URLSearchParams('model=nope&wfmt=fp7'))).toEqual([
      "The link's model “nope” is not in the catalog, so the default is shown.",
      "The link's weight format “fp7” is not one of fp32, fp16, bf16, fp8, int4, so the default is shown.",
    ]);
  });
});
