import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { parseHfConfig } from '../../roofline';
import mobyConfig from '../../public/models/moby-gpt2/config.json';
import measured from '../../lessons/trade-offs/measured.json';
import {
  answer,
  checkpointAsking,
  lessonRenderer,
  rightChoices,
  shownText,
  preloadLessons,
} from './lessonKit';

vi.setConfig({ testTimeout: 30_000 });

// ------------------------------------------------------------ independent references

/**
 * Chips as paper Table 3 prints them (int8 TOPS, GB/s), plus the H200's fp8 datasheet peak that
 * the explorer's default format uses.
 */
const T = 1e12;
const GB = 1e9;
const TABLE3: Record<string, { peak: number; bw: number; name: string }> = {
  'apple-a18': { peak: 35 * T, bw: 60 * GB, name: 'Apple A18' },
  'apple-m4-max': { peak: 38 * T, bw: 410 * GB, name: 'Apple M4 Max' },
  'google-tpu-v4': { peak: 275 * T, bw: 1200 * GB, name: 'Google TPU v4' },
  'google-tpu-v5p': { peak: 918 * T, bw: 2765 * GB, name: 'Google TPU v5p' },
  'nvidia-h200': { peak: 1980 * T, bw: 4800 * GB, name: 'NVIDIA H200' },
  'nvidia-b200': { peak: 4500 * T, bw: 8000 * GB, name: 'NVIDIA B200' },
};
const H200_FP8 = 1978.9 * T;

/** The roofline by hand: max(OPs / peak, bytes / bandwidth). */
const time = (ops: number, bytes: number, peak: number, bw: number) =>
  Math.max(ops / peak, bytes / bw);

/** One layer of paper Table 2 (batch 1, 1 byte per value), the whole layer as one work. */
function layer(d: number, h: number, n: number) {
  return {
    vanilla: { ops: 8 * d * d + 4 * n * d, bytes: 4 * d * d + 2 * n * d },
    option1: { ops: (2 * n + 6) * d * d + 4 * n * d, bytes: 4 * d * d + n * d },
    option2: { ops: 8 * d * d + 2 * n * d * (h + 1), bytes: 4 * d * d + n * d },
  };
}
function layerSpeedup(chipId: string, n: number, which: 'option1' | 'option2') {
  const { peak, bw } = TABLE3[chipId];
  const l = layer(4096, 32, n);
  return (
    time(l.vanilla.ops, l.vanilla.bytes, peak, bw) / time(l[which].ops, l[which].bytes, peak, bw)
  );
}
/** Option 2's attention core against standard's (per n·d values: 4 OPs / 2 values vs 2h+2 / 1). */
function coreSpeedup(chipId: string, h: number) {
  const { peak, bw } = TABLE3[chipId];
  return time(4, 2, peak, bw) / time(2 * h + 2, 1, peak, bw);
}

/** A ratio as the lesson prints it (three significant digits and ×). */
const ratio = (x: number) => `${Number(x.toPrecision(3))}×`;

// ------------------------------------------------------------ helpers

const renderLesson = lessonRenderer('trade-offs');
beforeAll(() => preloadLessons('trade-offs'));

beforeEach(() => localStorage.clear());

describe("lesson 'Trade-offs and FAQ'", () => {
  it('comes right after GQA, with its five checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    expect(slugs[slugs.indexOf('gqa') + 1]).toBe('trade-offs');
    expect(lessons.find((l) => l.slug === 'trade-offs')?.checkpoints).toEqual([
      'option1-part',
      'h64-chip',
      'h64-speedup',
      'cpu-run',
      'quant-multiply',
    ]);
  });

  it('the V-first order: Table 2 per part on H200 at n = 256 and 4,096, and where it turns slower', async () => {
    renderLesson();
    await screen.findByText(/Which part of the layer/);
    // n = 256: the projections of option 1 do (n + 3)/2 = 129.5 OPs per byte, below 412.5.
    expect(shownText('o1-proj-int-option1')).toBe('129.5');
    expect(shownText('o1-proj-bound-option1')).toBe('memory');
    expect(shownText('o1-core-int-option1')).toBe('4');
    expect(shownText('o1-core-int-option2')).toBe(String(2 * 32 + 2));
    expect(shownText('o1-core-int-vanilla')).toBe('2');
    expect(shownText('o1-speedup-option1')).toBe(
      ratio(layerSpeedup('nvidia-h200', 256, 'option1')),
    );
    expect(shownText('o1-speedup-option2')).toBe(
      ratio(layerSpeedup('nvidia-h200', 256, 'option2')),
    );
    // The first n at which option 1's layer is slower than standard, by a linear scan.
    let first = 0;
    for (let n = 1; n < 2 ** 20 && first === 0; n++)
      if (layerSpeedup('nvidia-h200', n, 'option1') < 1) first = n;
    expect(shownText('o1-slower-from')).toContain(
      `the V-first order is slower than standard from n = ${first.toLocaleString('en-US')} tokens`,
    );

    // The checkpoint: at n = 4,096 only the projections are compute bound.
    const cp = checkpointAsking(/Which part of it is compute bound/);
    // No heading above the question names the compute-bound part.
    const above = screen
      .getAllByRole('heading', { level: 2 })
      .filter((h) => h.compareDocumentPosition(cp) & Node.DOCUMENT_POSITION_FOLLOWING);
    expect(above.map((h) => h.textContent).join(' | ')).toContain(
      'The V-first order (paper §2, option 1) as the context grows',
    );
    expect(above.some((h) => /compute bound/.test(h.textContent ?? ''))).toBe(false);
    answer(cp, /Only the projections/);
    expect(rightChoices(cp)).toEqual(['Only the projections (with V = K\\,W_{KV})']);
    expect(cp.textContent).toContain('(n + 3)/2 = 2049.5 OPs per byte');
  });

  it('the V-first order at n = 4,096 on Apple M4 Max: the projections compute bound, the core not', () => {
    renderLesson('?chip=apple-m4-max&n=12');
    expect(shownText('o1-proj-int-option1')).toBe(String((4096 + 3) / 2));
    expect(shownText('o1-proj-bound-option1')).toBe('compute');
    expect(shownText('o1-core-bound-option1')).toBe('memory');
    expect(shownText('o1-speedup-option1')).toBe(
      ratio(layerSpeedup('apple-m4-max', 4096, 'option1')),
    );
    let first = 0;
    for (let n = 1; n < 2 ** 20 && first === 0; n++)
      if (layerSpeedup('apple-m4-max', n, 'option1') < 1) first = n;
    expect(shownText('o1-slower-from')).toContain(`from n = ${first} tokens`);
  });

  it('the K-first order at h = 64: compute bound on M4 Max only, and still 1.43× faster there', () => {
    renderLesson();
    expect(screen.queryByTestId('h64-bound-apple-m4-max')).toBeNull();
    const chipCp = checkpointAsking(/on which chip of paper Table 3/);
    answer(chipCp, /Apple M4 Max/);
    expect(rightChoices(chipCp)).toEqual(['Apple M4 Max']);
    for (const [id, c] of Object.entries(TABLE3))
      expect(shownText(`h64-bound-${id}`)).toBe(
        130 > c.peak / c.bw ? 'compute bound' : 'memory bound',
      );
    // The speedup column answers the next question: not shown yet.
    expect(screen.queryByTestId('h64-speedup-apple-m4-max')).toBeNull();

    const speedCp = checkpointAsking(/Against standard attention’s core/);
    answer(speedCp, /still faster/);
    expect(rightChoices(speedCp)).toEqual(['still faster, but less than 2×']);
    const m4 = coreSpeedup('apple-m4-max', 64);
    expect(m4).toBeCloseTo((2 * (38 * T)) / (410 * GB) / 130, 12);
    expect(shownText('h64-speedup-apple-m4-max')).toBe(ratio(m4));
    expect(shownText('h64-speedup-apple-m4-max')).toBe('1.43×');
    for (const id of Object.keys(TABLE3))
      expect(shownText(`h64-speedup-${id}`)).toBe(ratio(coreSpeedup(id, 64)));
  });

  it('the h slider: at h = 100 on M4 Max the K-first order’s core is slower, with both thresholds', () => {
    renderLesson('?hchip=apple-m4-max&h=100');
    // The slider answers the h = 64 speedup question: it shows once that is answered.
    expect(screen.queryByTestId('h-speedup')).toBeNull();
    expect(screen.queryByRole('slider', { name: 'heads h' })).toBeNull();
    answer(checkpointAsking(/Against standard attention’s core/), /still faster/);
    expect(shownText('h-intensity')).toBe('202');
    expect(shownText('h-ridge')).toBe(String(Number((38e12 / 410e9).toPrecision(3))));
    expect(shownText('h-bound')).toBe('compute bound');
    expect(shownText('h-speedup')).toBe(ratio(coreSpeedup('apple-m4-max', 100)));
    expect(coreSpeedup('apple-m4-max', 100)).toBeLessThan(1);
    const firstBelow = (limit: number) => {
      for (let h = 1; h <= 128; h++) if (coreSpeedup('apple-m4-max', h) < limit) return h;
      return 0;
    };
    expect(shownText('h-thresholds')).toBe(
      `On Apple M4 Max: below 2× from h = ${firstBelow(2)} (compute bound), and slower than standard from h = ${firstBelow(1)}.`,
    );
    // The slider moves h by one head per key press.
    fireEvent.change(screen.getByRole('slider', { name: 'heads h' }), { target: { value: '64' } });
    expect(shownText('h-speedup')).toBe('1.43×');
  });

  it('the measured run: hidden until predicted, then the figures of measured.json, how, links and why', () => {
    renderLesson();
    expect(screen.queryByTestId('measured-cpu-standard')).toBeNull();
    expect(screen.queryByTestId('measured-why')).toBeNull();
    // The answer follows the bench's figures: the faster side, or "about the same" within 10%.
    const cpuRatio = measured.cpu.slimMs / measured.cpu.standardMs;
    const expected = cpuRatio > 1.1 ? 'Standard' : cpuRatio < 1 / 1.1 ? 'Slim' : 'About the same';
    const cp = checkpointAsking(/CPU backend, standard and slim in turn. Which side/);
    answer(cp, new RegExp(`^${expected}$`));
    expect(rightChoices(cp)).toEqual([expected]);
    // The table: ms per token to 2 significant digits, tokens/s to 3, the time ratio to 3.
    const sig = (x: number, p: number) =>
      Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(p)));
    const table = screen.getByRole('table', { name: 'measured milliseconds per token' });
    const names = within(table)
      .getAllByRole('rowheader')
      .map((r) => r.textContent);
    expect(names).toEqual(['CPU (float32)', `WebGL2 (${measured.device})`]);
    for (const key of ['cpu', 'webgl'] as const) {
      const { standardMs, slimMs } = measured[key];
      expect(shownText(`measured-${key}-standard`)).toBe(
        `${sig(standardMs, 2)} (${sig(1000 / standardMs, 3)})`,
      );
      expect(shownText(`measured-${key}-slim`)).toBe(
        `${sig(slimMs, 2)} (${sig(1000 / slimMs, 3)})`,
      );
      expect(shownText(`measured-${key}-ratio`)).toBe(`${sig(slimMs / standardMs, 3)}×`);
    }
    // How: every figure of the run's conditions, and the command that wrote the file.
    const how = shownText('measured-how');
    for (const part of [
      `a prompt of ${measured.promptTokens} tokens`,
      `${measured.warmupSteps} untimed and ${measured.steps} timed`,
      `${measured.cpuCores} CPU cores (load average ${measured.loadAverage})`,
      measured.device,
      measured.measuredOn,
      measured.command,
    ])
      expect(how).toContain(part);
    expect(measured.command).toMatch(
      /^npm run bench -- .*--lesson-out lessons\/trade-offs\/measured\.json/,
    );
    expect(
      within(screen.getByTestId('measured-how'))
        .getAllByRole('link')
        .map((a) => a.getAttribute('href')),
    ).toEqual([
      '/playground?model=moby-gpt2&backend=webgl&steps=200',
      '/playground?model=moby-gpt2&backend=cpu&steps=200',
    ]);
    expect(shownText('cpu-time-ratio')).toBe(sig(cpuRatio, 3));
    // OPs of a whole step at the run's longest context (moby-gpt2's d, h and layers):
    // 2 per weight plus 4nd (standard) or 2nd(h + 1) (option 2) per layer.
    const [d, h, l] = [mobyConfig.n_embd, mobyConfig.n_head, mobyConfig.n_layer];
    const [vocab, positions] = [mobyConfig.vocab_size, mobyConfig.n_positions];
    const n = measured.promptTokens + measured.warmupSteps + measured.steps;
    const ratioWith = (p: number) => (2 * p + l * 2 * n * d * (h + 1)) / (2 * p + l * 4 * n * d);
    // The cost model's parameter estimate from config.json …
    const count = (x: number) => x.toLocaleString('en-US');
    const estimate = parseHfConfig(JSON.stringify(mobyConfig)).model.params;
    expect(shownText('moby-ops-ratio')).toBe(String(Number(ratioWith(estimate).toPrecision(3))));
    // … is within 1% of GPT-2's exact count: tied head; per layer two layer norms (4d), the
    // attention (4d² + 4d biases) and the MLP (8d² + 5d biases); the final layer norm (2d).
    const exact = vocab * d + positions * d + l * (4 * d + 4 * d * d + 9 * d + 8 * d * d) + 2 * d;
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.01);
    expect(Math.abs(ratioWith(estimate) - ratioWith(exact))).toBeLessThan(0.005);
    // The parameter count shown is the checkpoint's: every tensor in model.safetensors' header
    // (what the Playground counts when it loads the model), not the estimate.
    const file = readFileSync(join(__dirname, '../../public/models/moby-gpt2/model.safetensors'));
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      { shape?: number[] }
    >;
    const tensors = Object.entries(header)
      .filter(([name]) => name !== '__metadata__')
      .reduce((sum, [, t]) => sum + (t.shape ?? []).reduce((a, b) => a * b, 1), 0);
    expect(tensors).toBe(exact);
    expect(shownText('moby-parameters')).toBe(count(tensors));
    expect(shownText('measured-why')).toContain(
      `The K-first order’s attention core does ${count(2 * n * d * (h + 1))} OPs per layer`,
    );
    expect(shownText('measured-why')).toContain(`against standard’s ${count(4 * n * d)}`);
  });

  it('cache quantization: the savings multiply (int4 slim = 8× smaller than fp16 KV)', () => {
    renderLesson();
    expect(screen.queryByTestId('quant-kv-fp16')).toBeNull();
    const values = 2 * 3072 * 32 * 131072; // Phi-3-mini-128k KV-cache at 128K (paper §1)
    const cp = checkpointAsking(/int4 slim K-cache/);
    expect(cp.textContent).toContain(`${Number(((values * 2) / 1e9).toPrecision(3))} GB`);
    answer(cp, /^8×$/);
    expect(rightChoices(cp)).toEqual(['8×']);
    const gb = (bytes: number) => `${Number((bytes / 1e9).toPrecision(3))} GB`;
    for (const [f, bytes] of [
      ['fp16', 2],
      ['int8', 1],
      ['int4', 0.5],
    ] as const) {
      expect(shownText(`quant-kv-${f}`)).toBe(gb(values * bytes));
      expect(shownText(`quant-slim-${f}`)).toBe(gb((values / 2) * bytes));
      expect(shownText(`quant-ratio-${f}`)).toBe(`${(values * 2) / ((values / 2) * bytes)}×`);
    }
  });

  it('production: whole decode steps match a hand roofline and link to the explorer', () => {
    renderLesson();
    const m4 = TABLE3['apple-m4-max'];
    const h200 = { peak: H200_FP8, bw: 4800 * GB };
    const step = (
      p: number,
      d: number,
      l: number,
      h: number,
      batch: number,
      n: number,
      c: { peak: number; bw: number },
    ) =>
      time(batch * (2 * p + l * 4 * n * d), p + batch * 2 * l * n * d, c.peak, c.bw) /
      time(batch * (2 * p + l * 2 * n * d * (h + 1)), p + batch * l * n * d, c.peak, c.bw);
    const expected = [
      step(3.8e9, 3072, 32, 32, 16, 131072, h200),
      step(3.8e9, 3072, 32, 32, 1, 1024, h200),
      step(35e9, 8192, 40, 64, 64, 8192, m4),
      step(35e9, 8192, 40, 64, 64, 1024, m4),
    ];
    expected.forEach((s, i) => expect(shownText(`scenario-${i}`)).toBe(ratio(s)));
    expect(expected[3]).toBeLessThan(1);
    const table = screen.getByRole('table', { name: 'whole decode steps' });
    expect(within(table).getAllByRole('link')[3].getAttribute('href')).toBe(
      '/explorer?model=aya-23-35b&chip=apple-m4-max&batch=64&n=1024',
    );
  });
});
