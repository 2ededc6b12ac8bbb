import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import { decodeStepWork, generateComplexity, parseHfConfig } from '../../roofline';
import mobyGpt2Config from '../../public/models/moby-gpt2/config.json';
import { LessonCheckpoint } from '../common/LessonCheckpoint';

/**
 * Measured in the Playground (not computed): moby-gpt2, greedy decoding of the default prompt
 * (15 tokens), 200 tokens asked for, the tokens per second the Playground reports for each side,
 * in headless Chromium on this project's development machine (no GPU; WebGL2 there is SwiftShader,
 * a CPU rasterizer). 'this version': two runs per backend of the engine as this lesson ships,
 * on 2026-12-01; 'earlier versions': the ranges earlier engine versions gave on that machine.
 */
const MEASURED = {
  model: 'moby-gpt2',
  steps: 200,
  runs: [
    {
      when: 'this version, 2 runs',
      backend: 'cpu',
      standard: [202.6, 226.7],
      slim: [106.4, 110.0],
    },
    { when: 'this version, 2 runs', backend: 'webgl', standard: [22.9, 26.3], slim: [22.9, 26.4] },
    { when: 'earlier versions', backend: 'cpu', standard: [137, 222], slim: [45, 57] },
    { when: 'earlier versions', backend: 'webgl', standard: [28, 35], slim: [18, 33] },
  ],
} as const;
const BACKEND_NAMES = { cpu: 'CPU', webgl: 'WebGL2 (SwiftShader)' } as const;
const MOBY = parseHfConfig(JSON.stringify(mobyGpt2Config)).model;

const range = (r: readonly [number, number]) => `${r[0]}–${r[1]}`;

export function MeasuredInBrowser() {
  const [revealed, setRevealed] = useState(false);
  const n = MEASURED.steps;
  const std = decodeStepWork(MOBY, 'standard', { contextLength: n, bytesPerValue: 4 });
  const slim = decodeStepWork(MOBY, 'slim', { contextLength: n, bytesPerValue: 4 });
  const core = generateComplexity({ d: MOBY.d, h: MOBY.heads, n });
  const cpu = MEASURED.runs.filter((r) => r.backend === 'cpu');
  const cpuSlower = cpu.every((r) => r.standard[0] > r.slim[1]);
  const cpuFaster = cpu.every((r) => r.slim[0] > r.standard[1]);
  const [cpuNow, webglNow] = MEASURED.runs;
  // A SwiftShader step's time against its OPs: about 1/rate seconds for this many OPs.
  const webglMs = 1000 / webglNow.standard[0];
  const playground = (backend: 'webgl' | 'cpu') =>
    `/playground?model=${MEASURED.model}&backend=${backend}&steps=${MEASURED.steps}`;
  return (
    <>
      <h2>Measured in a browser without a GPU</h2>
      <p>
        The <Link to="/playground">Playground</Link> runs real weights, standard and slim side by
        side. Its default model, {MEASURED.model}, is tiny: d = {MOBY.d}, h = {MOBY.heads},{' '}
        {MOBY.layers} layers, {formatCount(MOBY.params)} parameters.
      </p>
      <LessonCheckpoint
        id="cpu-run"
        onRevealed={() => setRevealed(true)}
        question={
          <>
            The Playground generates {MEASURED.steps} tokens with {MEASURED.model} on its CPU
            backend. Which side makes more tokens per second?
          </>
        }
        choices={[
          { label: 'Standard', correct: cpuSlower },
          { label: 'Slim', correct: cpuFaster },
          { label: 'About the same', correct: !cpuSlower && !cpuFaster },
        ]}
        explanation={
          <p>
            Standard, by a wide margin: nothing in this run waits for memory, so slim’s halved cache
            saves no time and its extra arithmetic costs some. The table below has the figures.
          </p>
        }
      />
      {revealed ? (
        <table className="diff-table" aria-label="measured tokens per second">
          <ColumnHeads
            columns={['Playground backend, runs', 'standard, tokens/s', 'slim, tokens/s']}
          />
          <tbody>
            {MEASURED.runs.map((r, k) => (
              <tr key={k}>
                <th scope="row">
                  {BACKEND_NAMES[r.backend]}, {r.when}
                </th>
                <td data-testid={`measured-${k}-standard`}>{range(r.standard)}</td>
                <td data-testid={`measured-${k}-slim`}>{range(r.slim)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">The measured figures appear once the question is answered.</p>
      )}
      <p data-testid="measured-how">
        How these were measured: the Playground, {MEASURED.model}, greedy decoding of its default
        prompt, {MEASURED.steps} tokens, the tokens per second it reports for each side, in headless
        Chromium on this project’s development machine, which has no GPU. There WebGL2 is{' '}
        <strong>SwiftShader</strong>, a rasterizer that runs the GPU’s programs on the CPU. Your
        machine will give other figures: measure it yourself with{' '}
        <Link to={playground('webgl')}>WebGL2, {MEASURED.steps} tokens</Link> or{' '}
        <Link to={playground('cpu')}>the CPU, {MEASURED.steps} tokens</Link> (press Generate once
        the model has loaded).
      </p>
      {revealed && (
        <p data-testid="measured-why">
          Why: the whole model and both caches are a few megabytes ({formatBytes(std.bytes)} read
          per standard step in float32, {formatBytes(slim.bytes)} slim, at n = {n}), small enough to
          stay in the processor’s caches, so there is no memory wall for the halved cache to lower.
          What remains is arithmetic and fixed costs. Option 2’s attention core does{' '}
          {formatCount(core.option2.mha.ops)} OPs per layer against standard’s{' '}
          {formatCount(core.vanilla.mha.ops)} (<Tex>{'2nd(h+1)'}</Tex> against <Tex>{'4nd'}</Tex>),
          and the whole step{' '}
          <span data-testid="moby-ops-ratio">{formatNumber(slim.ops / std.ops, 3)}</span>× the OPs.
          On the CPU backend JavaScript does every one of them, and slim runs at{' '}
          {formatNumber(cpuNow.slim[0] / cpuNow.standard[1], 2)}–
          {formatNumber(cpuNow.slim[1] / cpuNow.standard[0], 2)}× standard’s speed, a bigger gap
          than the OP count alone predicts, since its extra loops have costs of their own. On
          SwiftShader a step takes about {formatNumber(webglMs, 2)} ms for about{' '}
          {formatNumber(std.ops / 1e6, 2)} million OPs, so nearly all of it is the fixed cost of
          each draw and read-back, and the two sides now run about as fast (earlier engine versions
          ran slim slower there too). The roofline models none of these fixed costs. On a chip that
          waits for memory (a large model, a long context, a big batch) the same engine code would
          gain instead.
        </p>
      )}
    </>
  );
}
