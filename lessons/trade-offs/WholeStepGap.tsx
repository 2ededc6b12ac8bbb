import { formatBytes, formatNumber } from '../../components/format';
import {
  bytesPerFormat,
  decodeStepWork,
  paramBytes,
  requireChip,
  requireModel,
} from '../../roofline';
import { SCENARIOS, ratio, scenarioTimes } from './speedups';

/** Aya-23-35B on Apple M4 Max, batch 64, n = 1,024: the whole step the gap is explained on. */
const S = SCENARIOS[3];

/**
 * Why a whole decode step gains less than its attention core on the same chip (Aya-23-35B on
 * M4 Max): the weights, which slim does not shrink, are most of the bytes, and slim's extra OPs
 * make the step compute bound. Every figure from roofline/ (through speedups.ts).
 */
export function WholeStepGap({ core }: { core: number }) {
  const model = requireModel(S.model);
  const chip = requireChip(S.chip);
  const options = { contextLength: S.n, batch: S.batch, bytesPerValue: bytesPerFormat.fp8 };
  const std = decodeStepWork(model, 'standard', options);
  const slim = decodeStepWork(model, 'slim', options);
  const weights = paramBytes(model, bytesPerFormat.fp8);
  const times = scenarioTimes(S);
  const saved = 1 - slim.bytes / std.bytes;
  return (
    <p data-testid="whole-step-gap">
      Why the whole step gains so much less than the attention core’s {ratio(core)}: at n ={' '}
      {S.n.toLocaleString('en-US')} and batch {S.batch} a standard step of {model.name} reads{' '}
      {formatBytes(std.bytes)}, of which the weights are {formatBytes(weights)}, read once per step
      for all {S.batch} sequences. Slim halves only the cache, so it reads {formatBytes(slim.bytes)}
      : {formatNumber(saved * 100, 2)}% fewer bytes. It also does{' '}
      {formatNumber(slim.ops / std.ops, 3)}× the OPs, and on {chip.name}’s low ridge that makes its
      step {times.slim.bound} bound, while standard’s stays {times.standard.bound} bound:{' '}
      {ratio(times.speedup)} for the whole step. The attention core alone reads only the cache, so
      there slim saves half of everything read, enough to outweigh its extra OPs; in the whole step
      the same extra OPs face a saving of only {formatNumber(saved * 100, 2)}%.
    </p>
  );
}
