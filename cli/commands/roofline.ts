import {
  bytesPerValueOf,
  chips,
  decodeStepWork,
  defaultPeakDtype,
  dtypes,
  findChip,
  findModel,
  fitsInMemory,
  models,
  ridgePoint,
  rooflineTime,
  unknownIdMessage,
  type Dtype,
  type RooflineTime,
  type Side,
} from '../../roofline';
import {
  assertExactResult,
  parseBytesPerValue,
  parseCount,
  parseOptionalCount,
  requireString,
} from '../args';
import { CliUsageError, EXIT_OK } from '../errors';
import { formatBytes, formatRatio, scaled, table } from '../format';
import { printJson, stringValue, type Command } from './types';

export interface RooflineArgs {
  model: string;
  chip: string;
  contextLength: number;
  batch: number;
  /** Number format of the peak; defaults to int8, else fp16, else the chip's first format. */
  dtype?: Dtype;
  /** Defaults to the dtype's size. */
  bytesPerValue?: number;
}

export interface DecodeStepJson extends RooflineTime {
  ops: number;
  bytes: number;
  /** OPs per byte of the whole step. */
  intensity: number;
  /** batch / seconds. */
  tokensPerSecond: number;
  fitsInMemory: boolean;
}

export interface RooflineJson {
  model: string;
  chip: string;
  dtype: Dtype;
  contextLength: number;
  batch: number;
  bytesPerValue: number;
  /** The chip's ridge point in OPs per byte for dtype. */
  ridgePoint: number;
  standard: DecodeStepJson;
  slim: DecodeStepJson;
  /** standard.seconds / slim.seconds. */
  speedup: number;
}

/** The `slim roofline` JSON document: one decode step, standard vs slim, on one chip (paper Table 3). */
export function rooflineJson(args: RooflineArgs): RooflineJson {
  const model = findModel(args.model);
  if (!model) throw new CliUsageError(unknownIdMessage('model', args.model, models));
  const chip = findChip(args.chip);
  if (!chip) throw new CliUsageError(unknownIdMessage('chip', args.chip, chips));
  const dtype = args.dtype ?? defaultPeakDtype(chip);
  const bytesPerValue = args.bytesPerValue ?? bytesPerValueOf[dtype];
  const options = { contextLength: args.contextLength, batch: args.batch, bytesPerValue };
  const step = (side: Side): DecodeStepJson => {
    const work = decodeStepWork(model, side, options);
    const time = rooflineTime(work, chip, dtype);
    return {
      ...work,
      intensity: work.ops / work.bytes,
      ...time,
      tokensPerSecond: args.batch / time.seconds,
      fitsInMemory: fitsInMemory(chip, work.bytes),
    };
  };
  const standard = step('standard');
  const slim = step('slim');
  return {
    model: model.id,
    chip: chip.id,
    dtype,
    contextLength: args.contextLength,
    batch: args.batch,
    bytesPerValue,
    ridgePoint: ridgePoint(chip, dtype),
    standard,
    slim,
    speedup: standard.seconds / slim.seconds,
  };
}

function parseDtype(value: string | undefined): Dtype | undefined {
  if (value === undefined) return undefined;
  const key = value.trim().toLowerCase();
  if ((dtypes as readonly string[]).includes(key)) return key as Dtype;
  throw new CliUsageError(`--dtype must be one of ${dtypes.join(', ')}, got '${value}'`);
}

export const rooflineCommand: Command = {
  name: 'roofline',
  summary: 'time of one decode step on a chip, standard vs slim (memory or compute bound)',
  help: `Usage: slim roofline --model ID --chip ID --context N [--batch B] [--dtype T] [--bytes K] [--json]

Roofline time max(OPs/peak, bytes/bandwidth) of one decode step (one new token per
sequence) for standard and slim attention on one chip (paper Table 3). Weights cost 2 OPs
per parameter per sequence; attention follows paper Table 2 (slim: option 2).

Options:
  --model ID    catalog model id (see: slim models)
  --chip ID     catalog chip id (see: slim chips)
  --context N   cached tokens per sequence; 16k means 16384
  --batch B     sequences decoded together (default 1)
  --dtype T     number format of the peak: ${dtypes.join(', ')}
                (default int8 where the chip lists it, else fp16/bf16)
  --bytes K     bytes per stored value (default: the size of --dtype)
  --json        print one JSON document: {model, chip, dtype, contextLength, batch,
                bytesPerValue, ridgePoint, standard, slim, speedup}; standard and slim are
                {ops, bytes, intensity, seconds, computeSeconds, memorySeconds, bound,
                tokensPerSecond, fitsInMemory}
  -h, --help    show this help

Example: slim roofline --model phi-3-mini-128k --chip nvidia-h200 --context 128k --batch 16
`,
  options: {
    model: { type: 'string' },
    chip: { type: 'string' },
    context: { type: 'string' },
    batch: { type: 'string' },
    dtype: { type: 'string' },
    bytes: { type: 'string' },
  },
  run(values, { io, json }) {
    const bytes = stringValue(values, 'bytes');
    const result = rooflineJson({
      model: requireString(stringValue(values, 'model'), 'model', 'a catalog id, see: slim models'),
      chip: requireString(stringValue(values, 'chip'), 'chip', 'a catalog id, see: slim chips'),
      contextLength: parseCount(stringValue(values, 'context'), 'context'),
      batch: parseOptionalCount(stringValue(values, 'batch'), 'batch', 1),
      dtype: parseDtype(stringValue(values, 'dtype')),
      bytesPerValue: bytes === undefined ? undefined : parseBytesPerValue(bytes, 1),
    });
    assertExactResult(result);
    if (json) {
      printJson(io, result);
      return EXIT_OK;
    }
    const ms = (s: number) => `${(s * 1e3).toPrecision(3)} ms`;
    const column = (s: DecodeStepJson) => [
      scaled(s.ops),
      formatBytes(s.bytes),
      s.intensity.toFixed(1),
      ms(s.computeSeconds),
      ms(s.memorySeconds),
      `${ms(s.seconds)} (${s.bound})`,
      s.tokensPerSecond.toPrecision(3),
      s.fitsInMemory ? 'yes' : 'no',
    ];
    const labels = [
      'OPs',
      'bytes read',
      'OPs/byte',
      'compute time',
      'memory time',
      'step time',
      'tokens/s',
      'fits in memory',
    ];
    const std = column(result.standard);
    const slim = column(result.slim);
    io.stdout(
      `${result.model} on ${result.chip} (${result.dtype}, ridge ${result.ridgePoint.toFixed(0)} OPs/byte): ` +
        `${result.contextLength} tokens, batch ${result.batch}, ${result.bytesPerValue} byte${result.bytesPerValue === 1 ? '' : 's'} per value\n\n` +
        table(
          ['', 'standard', 'slim'],
          labels.map((label, i) => [label, std[i], slim[i]]),
        ) +
        `\nspeedup: ${formatRatio(result.speedup)}\n`,
    );
    return EXIT_OK;
  },
};
