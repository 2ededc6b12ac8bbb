import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import { decodeStepWork, generateComplexity, parseHfConfig } from '../../roofline';
import mobyGpt2Config from '../../public/models/moby-gpt2/config.json';
// The checkpoint's own parameter count (every tensor of model.safetensors, recorded when it was
// trained), the number the Playground counts from the same tensors when it loads the model.
import { params as MOBY_PARAMETERS } from '../../public/models/moby-gpt2/train_log.json';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
// Written by the bench (`--lesson-out`, see bench/run.ts), never typed by hand.
import MEASURED from './measured.json';

const MOBY = parseHfConfig(JSON.stringify(mobyGpt2Config)).model;
/** Tokens the Playground links below ask for (the reader's own measurement). */
const PLAYGROUND_STEPS = 200;
/** Within this factor either way, the two sides count as "about the same". */
const SAME_WITHIN = 1.1;

type Outcome = 'standard' | 'slim' | 'same';
/** Which side makes more tokens per second, from the ms per token of each. */
function fasterSide(standardMs: number, slimMs: number): Outcome {
  const ratio = slimMs / standardMs;
  if (ratio > SAME_WITHIN) return 'standard';
  if (ratio < 1 / SAME_WITHIN) return 'slim';
  return 'same';
}

const ms = (x: number) => formatNumber(x, 2);
const perSecond = (msPerToken: number) => formatNumber(1000 / msPerToken, 3);

export function MeasuredInBrowser() {
  const [revealed, setRevealed] = useState(false);
  const { cpu, webgl } = MEASURED;
  // The longest context of the run: the prompt, the warm-up steps and the timed steps.
  const n = MEASURED.promptTokens + MEASURED.warmupSteps + MEASURED.steps;
  const std = decodeStepWork(MOBY, 'standard', { contextLength: n, bytesPerValue: 4 });
  const slim = decodeStepWork(MOBY, 'slim', { contextLength: n, bytesPerValue: 4 });
  const core = generateComplexity({ d: MOBY.d, h: MOBY.heads, n });
  const cpuOutcome = fasterSide(cpu.standardMs, cpu.slimMs);
  const opsRatio = slim.ops / std.ops;
  const rows = [
    { key: 'cpu', name: 'CPU (float32)', ...cpu },
    { key: 'webgl', name: `WebGL2 (${MEASURED.device})`, ...webgl },
  ];
  const playground = (backend: 'webgl' | 'cpu') =>
    `/playground?model=${MEASURED.model}&backend=${backend}&steps=${PLAYGROUND_STEPS}`;
  return (
    <>
      <h2>Measured in a browser</h2>
      <p>
        The <Link to="/playground">Playground</Link> runs real weights, standard and slim side by
        side. Its default model, {MEASURED.model}, is tiny: d = {MOBY.d}, h = {MOBY.heads},{' '}
        {MOBY.layers} layers,{' '}
        <span data-testid="moby-parameters">{formatCount(MOBY_PARAMETERS)}</span> parameters (every
        tensor of its checkpoint, biases and norms included).
      </p>
      <LessonCheckpoint
        id="cpu-run"
        onRevealed={setRevealed}
        question={
          <>
            {MEASURED.model} generates tokens on the CPU backend, standard and slim in turn. Which
            side makes more tokens per second?
          </>
        }
        choices={[
          { label: 'Standard', correct: cpuOutcome === 'standard' },
          { label: 'Slim', correct: cpuOutcome === 'slim' },
          { label: 'About the same', correct: cpuOutcome === 'same' },
        ]}
        explanation={
          <p>
            {cpuOutcome === 'same'
              ? `About the same (within ${Math.round((SAME_WITHIN - 1) * 100)}%)`
              : cpuOutcome === 'standard'
                ? 'Standard'
                : 'Slim'}
            : nothing in this run waits for memory, so slim’s halved cache saves no time, and its
            extra arithmetic is small at this context. The table below has the figures.
          </p>
        }
      />
      {revealed ? (
        <table className="diff-table" aria-label="measured milliseconds per token">
          <ColumnHeads
            columns={[
              'backend',
              'standard, ms per token (tokens/s)',
              'slim, ms per token (tokens/s)',
              'slim ÷ standard, time',
            ]}
          />
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.name}</th>
                <td data-testid={`measured-${r.key}-standard`}>
                  {ms(r.standardMs)} ({perSecond(r.standardMs)})
                </td>
                <td data-testid={`measured-${r.key}-slim`}>
                  {ms(r.slimMs)} ({perSecond(r.slimMs)})
                </td>
                <td data-testid={`measured-${r.key}-ratio`}>
                  {formatNumber(r.slimMs / r.standardMs, 3)}×
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">The measured figures appear once the question is answered.</p>
      )}
      <p data-testid="measured-how">
        How these were measured: {MEASURED.model}, a prompt of {MEASURED.promptTokens} tokens, then{' '}
        {MEASURED.warmupSteps} untimed and {MEASURED.steps} timed greedy decode steps; the median
        time per token of each side, the two sides (and the other engines of the benchmark) taking
        turns at every step so that none absorbs the machine’s load more than another; slim produced
        the same tokens as standard at every step. Headless Chromium on {MEASURED.cpuCores} CPU
        cores (load average {MEASURED.loadAverage}), WebGL2 on {MEASURED.device}, on{' '}
        {MEASURED.measuredOn}, with <code>{MEASURED.command}</code>. The same run put ONNX Runtime
        Web (WebAssembly, one thread) at {ms(MEASURED.peers.ortWasmMs)} ms per token on this model.
        Your machine will give other figures: measure it yourself with{' '}
        <Link to={playground('webgl')}>WebGL2, {PLAYGROUND_STEPS} tokens</Link> or{' '}
        <Link to={playground('cpu')}>the CPU, {PLAYGROUND_STEPS} tokens</Link> (press Generate once
        the model has loaded).
      </p>
      {revealed && (
        <p data-testid="measured-why">
          Why: the whole model and both caches are a few megabytes ({formatBytes(std.bytes)} read
          per standard step in float32, {formatBytes(slim.bytes)} slim, at n = {n}), small enough to
          stay in the processor’s caches, so there is no memory wall for the halved cache to lower.
          What remains is arithmetic and fixed costs. The K-first order’s attention core does{' '}
          {formatCount(core.option2.mha.ops)} OPs per layer against standard’s{' '}
          {formatCount(core.vanilla.mha.ops)} (<Tex>{'2nd(h+1)'}</Tex> against <Tex>{'4nd'}</Tex>),
          and the whole step <span data-testid="moby-ops-ratio">{formatNumber(opsRatio, 3)}</span>×
          the OPs: on the CPU, which does every OP itself, slim took{' '}
          <span data-testid="cpu-time-ratio">{formatNumber(cpu.slimMs / cpu.standardMs, 3)}</span>×
          standard’s time per token. With WebGL2 a step took about {ms(webgl.standardMs)} ms for
          about {formatNumber(std.ops / 1e6, 2)} million OPs in{' '}
          {formatNumber(webgl.standardDrawsPerToken, 3)} draws (
          {formatNumber(webgl.slimDrawsPerToken, 3)} slim): there the time goes to the fixed cost of
          each draw and read-back, not to the OPs. The roofline models none of these fixed costs. On
          a chip that waits for memory (a large model, a long context, a big batch) the same engine
          code would gain instead.
        </p>
      )}
    </>
  );
}
