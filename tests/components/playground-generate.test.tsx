import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import gpt2Log from '../../public/models/moby-gpt2/train_log.json';
import { useState } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import {
  bufferSource,
  loadTokenizer,
  openModel,
  writeSafetensors,
  type CheckpointFiles,
} from '../../engine';
import { directorySources } from '../../engine/io/node';
import { matrix64 } from '../../engine/linalg';
import { readModelSpec } from '../../engine/models';
import { CacheChart } from '../../playground/CacheChart';
import { DEFAULT_MODEL_CARDS } from '../../components/defaultModels';
import { GeneratePanel } from '../../playground/GeneratePanel';
import { runGeneration, type Loaded } from '../../playground/generation';
import { usePlaygroundUrlState } from '../../playground/usePlaygroundUrlState';
import type { GenState, PlaygroundWorker } from '../../playground/usePlaygroundWorker';
import type { GenerateOptions, GenerateUpdate } from '../../playground/worker';
import { LayerReportTable } from '../../components/LayerReportTable';
import {
  configJson,
  gqaCheckpoint,
  tinyTokenizerJson,
  tinyWeights,
  TINY_GPT2,
  TINY_GQA,
} from '../unit/models-helpers';

async function loaded(files: CheckpointFiles, name: string): Promise<Loaded> {
  const opened = await openModel(files, name);
  return { name, parameters: 0, opened, tokenizer: await loadTokenizer(files) };
}

/** The Generate panel on the page's URL state, its "worker" the real generation in-process. */
function Harness({ model }: { model: Loaded }) {
  const { generation } = usePlaygroundUrlState();
  const [gen, setGen] = useState<GenState>({ state: 'idle' });
  const worker: Pick<PlaygroundWorker, 'gen' | 'generate' | 'stop' | 'notice'> = {
    gen,
    notice: undefined,
    stop: () => {},
    generate: async (o: GenerateOptions) => {
      const steps: GenerateUpdate[] = [];
      let start: Parameters<Parameters<typeof runGeneration>[2]['onStart']>[0] | undefined;
      setGen({ state: 'running', steps: [] });
      try {
        const result = await runGeneration(model, o, {
          onStart: (s) => void (start = s),
          onStep: (u) => {
            steps.push(u);
            setGen({ state: 'running', start, steps: [...steps], last: u });
          },
          shouldStop: () => false,
        });
        setGen({ state: 'done', start, steps, last: steps.at(-1), result });
      } catch (error) {
        setGen({ state: 'error', message: String(error), steps });
      }
    },
  };
  const card = { name: 'moby-gpt2', ...DEFAULT_MODEL_CARDS['moby-gpt2'] };
  return <GeneratePanel settings={generation} ready worker={worker} card={card} />;
}

const show = (model: Loaded, url = '/playground') =>
  render(
    <MemoryRouter initialEntries={[url]}>
      <Harness model={model} />
    </MemoryRouter>,
  );

const generateAndWait = async (steps: number) => {
  fireEvent.change(screen.getByLabelText('Tokens to generate'), {
    target: { value: String(steps) },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
  });
  await waitFor(
    () =>
      expect(
        screen.queryByTestId('generate-error')?.textContent ??
          screen.getByTestId('progress').textContent,
      ).toMatch(/^Done/),
    {
      timeout: 20_000,
    },
  );
};

const moby = () => directorySources('public/models/moby-gpt2');

describe('Playground Generate', () => {
  it('defaults to seeded sampling (seed shown); both sides draw identical tokens from the real model', async () => {
    const model = await loaded(await moby(), 'moby-gpt2');
    show(model);
    expect((screen.getByLabelText('seeded sampling') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Seed') as HTMLInputElement).value).toBe('1');
    expect((screen.getByLabelText('Temperature') as HTMLInputElement).value).toBe('0.8');
    expect((screen.getByLabelText('Top-k') as HTMLInputElement).value).toBe('40');
    expect(screen.getByLabelText('Top-p')).toBeTruthy();
    expect(screen.getByLabelText('Repetition penalty')).toBeTruthy();
    expect(screen.queryByTestId('model-card')).toBeNull();
    await generateAndWait(24);
    expect(screen.getByTestId('verdict').textContent).toBe('Tokens identical: yes');
    // What runs, under the output: the card's figures are the training log's (and the
    // parameters the checkpoint's tensors).
    const parameters = model.opened.spec.shapes.reduce(
      (n, [, sh]) => n + sh.reduce((a, b) => a * b, 1),
      0,
    );
    expect(screen.getByTestId('model-card').textContent).toMatch(
      new RegExp(
        `^moby-gpt2: ${parameters.toLocaleString('en-US')} parameters trained for ${Math.round(gpt2Log.trainSeconds / 60)} minutes on Moby-Dick and the State of the Union addresses \\(public domain\\), held-out loss ${gpt2Log.finalValLoss.toFixed(2).replace('.', '\\.')} nats per token\\. A toy model: expect odd English\\.`,
      ),
    );
    const sampled = screen.getByTestId('standard-text').textContent;
    expect(sampled?.length).toBeGreaterThan(10);
    expect(screen.getByTestId('slim-text').textContent).toBe(sampled);
    expect(screen.getByTestId('delta').textContent).toMatch(
      /exact in real arithmetic \(paper §1\); float32 rounds the two computations differently, by about \S+ here, and the tokens are identical\./,
    );
    // The output keeps the prompt it ran when the box is edited afterwards.
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'Edited later' } });
    expect(screen.getByTestId('standard-side').querySelector('.prompt')?.textContent).toBe(
      'Call me Ishmael. Some years ago',
    );
    // Greedy is one click away, and writes another text.
    fireEvent.click(screen.getByLabelText('greedy'));
    await generateAndWait(24);
    expect(screen.getByTestId('verdict').textContent).toBe('Tokens identical: yes');
    expect(screen.getByTestId('standard-text').textContent).not.toBe(sampled);
    expect(screen.getByTestId('standard-side').querySelector('.prompt')?.textContent).toBe(
      'Edited later',
    );
  }, 60_000);

  it('one Generate builds both models tensor by tensor, reading the shared tensors once', async () => {
    const model = await loaded(await moby(), 'moby-gpt2');
    const reads = new Map<string, number>();
    const whole: string[] = [];
    const { checkpoint, spec } = model.opened;
    const count = (name: string) => reads.set(name, (reads.get(name) ?? 0) + 1);
    const { readSync, readFloat64Sync } = checkpoint;
    checkpoint.readSync = (name) => (count(name), readSync.call(checkpoint, name));
    checkpoint.readFloat64Sync = (name) => (count(name), readFloat64Sync.call(checkpoint, name));
    const refuse = (name: string) => (whole.push(name), Promise.reject(new Error('read whole')));
    checkpoint.read = refuse;
    checkpoint.readFloat64 = refuse;
    const tokens: [number, number | null][] = [];
    const result = await runGeneration(
      model,
      {
        prompt: 'Call me',
        steps: 5,
        sampling: { temperature: 0.8, topK: 40, seed: 2 },
        backend: 'cpu',
      },
      {
        onStart: () => {},
        onStep: (u) => void tokens.push([u.standardToken, u.slimToken]),
        shouldStop: () => false,
      },
    );
    expect(result.steps).toBe(5);
    expect(result.weightsStreamed).toBe(true);
    expect(whole).toEqual([]);
    expect(tokens.every(([a, b]) => a === b)).toBe(true);
    // Every tensor read; those outside attention once for both models (uploaded once, shared),
    // the attention's once per model, W_K and W_V once more for the condition estimates.
    expect(reads.size).toBe(spec.shapes.length);
    const kv = new Set(spec.layout.tensors(0).map((t) => t.replace(/^h\.0\./, '')));
    for (const [name, n] of reads) {
      const inLayer = name.replace(/^.*\bh\.\d+\./, '');
      const expected = kv.has(inLayer) ? 3 : /attn\./.test(name) ? 2 : 1;
      expect([name, n]).toEqual([name, expected]);
    }
  });

  it('link values out of range fall back to the defaults and say so; Generate still runs', async () => {
    const model = await loaded(await moby(), 'moby-gpt2');
    show(model, '/playground?steps=1e9&temperature=1e308&seed=1.5&topk=0');
    const problems = screen.getAllByTestId('link-problem').map((p) => p.textContent);
    expect(problems).toEqual([
      'The link’s tokens to generate “1e9” is not a whole number from 1 to 512, so the default 64 is used.'.replace(
        '’',
        "'",
      ),
      "The link's temperature “1e308” is not a number from 0.05 to 5, so the default 0.8 is used.",
      "The link's top-k “0” is not a whole number from 1 to 1000, so the default 40 is used.",
      "The link's seed “1.5” is not a whole number from 0 to 4294967295, so the default 1 is used.",
    ]);
    expect((screen.getByLabelText('Tokens to generate') as HTMLInputElement).value).toBe('64');
    expect((screen.getByLabelText('Seed') as HTMLInputElement).value).toBe('1');
    await generateAndWait(8);
    expect(screen.getByTestId('progress').textContent).toMatch(/^Done: 8 steps/);
  }, 60_000);

  it('a Llama-3-8B-like grouped-query model: slim runs the X-cache, the same tokens, a larger cache', async () => {
    const files = new Map([
      ...gqaCheckpoint(TINY_GQA['gqa-x-cache']).files,
      ...tinyTokenizerJson(),
    ]);
    const sources = new Map([...files].map(([n, b]) => [n, bufferSource(b, n)] as const));
    show(await loaded(sources, 'gqa'));
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'call me' } });
    await generateAndWait(6);
    expect(screen.getByTestId('device').textContent).toContain(
      'slim runs the X-cache in every layer (paper Appendix G), larger than the KV-cache here',
    );
    expect(screen.getByTestId('verdict').textContent).toBe('Tokens identical: yes');
  }, 30_000);

  it('a singular W_K: the standard side runs, and the slim side says the check would choose the V-cache', async () => {
    const spec = readModelSpec(JSON.stringify(configJson('gpt2', TINY_GPT2)));
    const w = tinyWeights('gpt2', TINY_GPT2, 5);
    const { wK } = spec.layout.read(w, 1);
    const singular = matrix64(wK.rows, wK.cols);
    singular.data.set(wK.data);
    for (let i = 0; i < wK.rows; i++) singular.data[i * wK.cols] = wK.data[i * wK.cols + 1];
    spec.layout.writeK(w, 1, singular);
    const files = new Map<string, Uint8Array>([
      ['config.json', new TextEncoder().encode(JSON.stringify(configJson('gpt2', TINY_GPT2)))],
      [
        'model.safetensors',
        writeSafetensors(
          [...w].map(([name, t]) => ({ name, dtype: 'F32', shape: t.shape, data: t.data })),
        ),
      ],
      ...tinyTokenizerJson(),
    ]);
    // Byte sources: jsdom's Uint8Array is not Node's, so the loader takes no raw arrays here.
    const sources = new Map([...files].map(([n, b]) => [n, bufferSource(b, n)] as const));
    show(await loaded(sources, 'singular'));
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'call me' } });
    await generateAndWait(6);
    expect(screen.getByTestId('standard-text').textContent?.length).toBeGreaterThan(0);
    expect(screen.getByTestId('slim-problem').textContent).toMatch(
      /^Not run: layer 1: W_K has no usable inverse .*the per-layer check would choose the V-cache for this layer.* Only the standard side runs\.$/,
    );
    expect(screen.getByTestId('device').textContent).toContain('slim not run');
    expect(screen.getByTestId('progress').textContent).toMatch(
      /^Done: 6 steps\. \d+ tokens in the cache\./,
    );
    expect(screen.queryByTestId('verdict')).toBeNull();
  }, 60_000);

  it('the cache chart draws a first step without Plot’s high-cardinality z warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    render(
      <CacheChart
        steps={[
          {
            step: 1,
            standardToken: 1,
            slimToken: 1,
            maxAbsDelta: 0,
            margin: 1,
            cachedTokens: 9,
            standardCacheBytes: 900,
            slimCacheBytes: 450,
          },
        ]}
      />,
    );
    expect(
      warn.mock.calls.map((c) => String(c[0])).filter((m) => /high cardinality/.test(m)),
    ).toEqual([]);
    warn.mockRestore();
  });

  it('a RoPE model’s row where K from V errs less still chooses the K-cache and says why', () => {
    const row = {
      layer: 0,
      condK: 900,
      condV: 100,
      f32KtoV: 4e-6,
      f16KtoV: 1e-3,
      f32VtoK: 1e-6,
      f16VtoK: 5e-4,
      direction: 'k-cache' as const,
      ok: true,
    };
    render(<LayerReportTable rows={[row]} rope />);
    expect(screen.getByText(/K-cache/).textContent).toBe('K-cache (RoPE: K-cache only)');
  });
});
