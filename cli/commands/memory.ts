import {
  applicability,
  DEFAULT_BYTES_PER_VALUE,
  findModel,
  memoryReport,
  models,
  schemeLabel,
  unknownIdMessage,
  type Model,
} from '../../roofline';
import {
  assertExactResult,
  parseBytesPerValue,
  parseCount,
  parseOptionalCount,
  requireString,
} from '../args';
import { memoryJsonOf } from '../contract';
import { CliUsageError, EXIT_OK } from '../errors';
import { formatBytes, formatCount, formatRatio, scaled, table } from '../format';
import { printJson, stringValue, type Command } from './types';

export interface MemoryArgs {
  model: string;
  contextLength: number;
  batch: number;
  bytesPerValue: number;
}

function requireModelArg(id: string): Model {
  const model = findModel(id);
  if (!model) throw new CliUsageError(unknownIdMessage('model', id, models));
  return model;
}

export const memoryCommand: Command = {
  name: 'memory',
  summary: 'KV-cache, parameter and total bytes, standard vs slim, and the decode speedup',
  help: `Usage: slim memory --model ID --context N [--batch B] [--bytes K] [--json]

KV-cache and total memory of one model, standard vs slim attention, and the decode
speedup of a memory-bound system (paper §1). For encoder–decoder models N counts
cached positions per layer: encoder (cross cache) plus decoder tokens (self cache).

Options:
  --model ID     catalog id, e.g. phi-3-mini-128k (see: slim models)
  --context N    context length in tokens; 16k means 16384
  --batch B      sequences decoded together (default 1)
  --bytes K      bytes per value: a number (1 = int8, 0.5 = 4-bit) or fp32, bf16,
                 fp16, fp8, int8, fp4 (default ${DEFAULT_BYTES_PER_VALUE})
  --json         print one JSON document:
                 {model, contextLength, batch, bytesPerValue, slimVariant,
                  kvCacheValues: {standard, slim}, kvCacheBytes: {standard, slim}, paramBytes,
                  totalBytes: {standard, slim}, readBytes: {standard, slim}, decodeSpeedup,
                  readSpeedup}
                 decodeSpeedup = totalBytes.standard / totalBytes.slim; readSpeedup =
                 readBytes.standard / readBytes.slim, the bytes one decode step reads
                 (encoder–decoders: decoder-side weights only, paper §4)
  -h, --help     show this help

Example: slim memory --model phi-3-mini-128k --context 128000 --bytes 1
`,
  options: {
    model: { type: 'string' },
    context: { type: 'string' },
    batch: { type: 'string' },
    bytes: { type: 'string' },
  },
  run(values, { io, json }) {
    const args: MemoryArgs = {
      model: requireString(stringValue(values, 'model'), 'model', 'a catalog id, see: slim models'),
      contextLength: parseCount(stringValue(values, 'context'), 'context'),
      batch: parseOptionalCount(stringValue(values, 'batch'), 'batch', 1),
      bytesPerValue: parseBytesPerValue(stringValue(values, 'bytes'), DEFAULT_BYTES_PER_VALUE),
    };
    const model = requireModelArg(args.model);
    const report = memoryReport(model, args);
    const doc = memoryJsonOf(model, report);
    assertExactResult(doc);
    if (json) {
      printJson(io, doc);
      return EXIT_OK;
    }
    const verdict = applicability(model);
    const rows = [
      ['KV-cache values', scaled(report.kvCacheValues.standard), scaled(report.kvCacheValues.slim)],
      [
        'KV-cache bytes',
        formatBytes(report.kvCacheBytes.standard),
        formatBytes(report.kvCacheBytes.slim),
      ],
      [
        'parameter bytes',
        formatBytes(report.paramBytes),
        formatBytes(report.totalBytes.slim - report.kvCacheBytes.slim),
      ],
      ['total bytes', formatBytes(report.totalBytes.standard), formatBytes(report.totalBytes.slim)],
    ];
    io.stdout(
      `${model.name} (${model.id}): ${formatCount(report.contextLength)} tokens, batch ${report.batch}, ` +
        `${report.bytesPerValue} byte${report.bytesPerValue === 1 ? '' : 's'} per value\n\n` +
        table(['', 'standard', 'slim'], rows) +
        `\nslim scheme: ${schemeLabel(model, report.slimScheme)}\n` +
        `decode speedup (total bytes): ${formatRatio(report.decodeSpeedup)}\n` +
        `bytes read per token: ${formatBytes(report.readBytes.standard)} standard, ` +
        `${formatBytes(report.readBytes.slim)} slim, ${formatRatio(report.readSpeedup)} ` +
        `(memory-bound decode speedup)\n` +
        `${verdict.reason}\n`,
    );
    return EXIT_OK;
  },
};
