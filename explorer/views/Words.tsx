import { formatTick } from '../../components/charts/marks';
import { formatBytes } from '../../components/format';
import { computeDtype, type Chip, type StorageFormat } from '../../roofline';
import { chipRidge } from '../series';

/** The chip numbers the explanations quote: the peak used for `weightFormat`, bandwidth, ridge. */
export function chipNumbers(chip: Chip, weightFormat: StorageFormat) {
  const { dtype } = computeDtype(chip, weightFormat);
  const peak = chip.peakOpsPerSecond[dtype] as number;
  return { dtype, peak, bandwidth: chip.memoryBandwidth, ridge: chipRidge(chip, weightFormat) };
}

function ridgeText(ridge: number): string {
  return ridge >= 100
    ? Math.round(ridge).toLocaleString('en-US')
    : String(Number(ridge.toPrecision(3)));
}

/**
 * The explorer's own words, explained where they appear (views 2 and 3) with the chosen chip's
 * numbers filled in: arithmetic intensity, the roofline, the ridge point, memory- and
 * compute-bound (paper §2 and Table 3).
 */
export function RooflineWords({
  chip,
  weightFormat,
  only,
}: {
  chip: Chip;
  weightFormat: StorageFormat;
  /** View 2 needs only intensity and the ridge; view 3 all four words. */
  only?: 'intensity';
}) {
  const { dtype, peak, bandwidth, ridge } = chipNumbers(chip, weightFormat);
  const peakText = formatTick(peak, 'ops-per-second');
  const bandwidthText = `${formatBytes(bandwidth)}/s`;
  return (
    <details className="words" data-testid={`words-${only ?? 'roofline'}`}>
      <summary>What these words mean, on {chip.name}</summary>
      <dl>
        <dt>Arithmetic intensity</dt>
        <dd>
          How many operations (OPs) a piece of work does per byte it reads from memory. Reading a
          weight once and using it for one multiply-add is 2 OPs per value; a batch of B sequences
          sharing that read does 2·B.
        </dd>
        <dt>Ridge point</dt>
        <dd>
          The intensity at which the chip&apos;s memory and its arithmetic keep pace: peak ÷
          bandwidth = {peakText} ({dtype}) ÷ {bandwidthText} = {ridgeText(ridge)} OPs per byte on{' '}
          {chip.name}.
        </dd>
        <dt>Memory-bound and compute-bound</dt>
        <dd>
          Below {ridgeText(ridge)} OPs per byte the chip waits on memory (memory-bound): time is
          bytes ÷ {bandwidthText}, and reading fewer bytes — a smaller cache — is faster. Above it
          the arithmetic is the limit (compute-bound): time is OPs ÷ {peakText}.
        </dd>
        {only === undefined && (
          <>
            <dt>Roofline</dt>
            <dd>
              The chart of attainable speed against intensity: min(peak, intensity × bandwidth). It
              rises along the slope of {bandwidthText} until the ridge at {ridgeText(ridge)} OPs per
              byte, then stays flat at the {peakText} roof (paper Table 3).
            </dd>
          </>
        )}
      </dl>
    </details>
  );
}
