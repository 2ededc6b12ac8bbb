import {
  applicability,
  chips,
  defaultPeakDtype,
  models,
  ridgePoint,
  type Dtype,
} from '../../roofline';
import { EXIT_OK } from '../errors';
import { formatBytes, formatCapacity, formatRatio, scaled, table } from '../format';
import { printJson, type Command } from './types';

/** `slim models`: the model catalog with each model's slim-attention verdict. */
export const modelsCommand: Command = {
  name: 'models',
  summary: 'list catalog models with their shape and slim-attention verdict',
  help: `Usage: slim models [--json]

Lists the catalog model ids (for --model) with params, d, layers, heads h, KV heads h_kv,
head width d_k, attention kind and the context-memory factor slim attention gives.

Options:
  --json       print one JSON array of {id, name, params, d, layers, heads, kvHeads, headDim,
               contextLength, architecture, attention, positional, source,
               slim: {applicable, factor, kind, reason}}
  -h, --help   show this help
`,
  options: {},
  run(_values, { io, json }) {
    const rows = models.map((m) => {
      const v = applicability(m);
      return {
        ...m,
        slim: { applicable: v.applicable, factor: v.factor, kind: v.kind, reason: v.reason },
      };
    });
    if (json) {
      printJson(io, rows);
      return EXIT_OK;
    }
    io.stdout(
      table(
        ['id', 'params', 'd', 'layers', 'h', 'h_kv', 'd_k', 'attention', 'slim'],
        rows.map((m) => [
          m.id,
          scaled(m.params),
          String(m.d),
          String(m.layers),
          String(m.heads),
          String(m.kvHeads),
          String(m.headDim),
          m.architecture === 'encoder-decoder' ? `${m.attention} enc-dec` : m.attention,
          m.slim.applicable ? formatRatio(m.slim.factor) : 'no gain',
        ]),
      ),
    );
    return EXIT_OK;
  },
};

/** `slim chips`: the chip catalog with ridge points. */
export const chipsCommand: Command = {
  name: 'chips',
  summary: 'list catalog chips: peak OPs/s, bandwidth, capacity, ridge point',
  help: `Usage: slim chips [--json]

Lists the catalog chips with dense peak OPs/s per number format, memory bandwidth and
capacity, and the int8 (else fp16/bf16) ridge point in OPs per byte (paper Table 3).
Entries marked * carry paper Table 3's int8 TOPS and GB/s.

Options:
  --json       print one JSON array of the catalog entries
  -h, --help   show this help
`,
  options: {},
  run(_values, { io, json }) {
    if (json) {
      printJson(io, chips);
      return EXIT_OK;
    }
    io.stdout(
      table(
        ['id', 'int8 OPs/s', 'bf16 OPs/s', 'bandwidth', 'capacity', 'ridge OPs/byte'],
        chips.map((c) => {
          const dtype = defaultPeakDtype(c);
          const peak = (t: Dtype) => {
            const v = c.peakOpsPerSecond[t];
            return v === undefined ? '-' : scaled(v);
          };
          return [
            `${c.id}${c.paperTable3 ? ' *' : ''}`,
            peak('int8'),
            peak('bf16'),
            `${formatBytes(c.memoryBandwidth)}/s`,
            formatCapacity(c.memoryCapacity),
            `${ridgePoint(c, dtype).toFixed(0)} (${dtype})`,
          ];
        }),
      ),
    );
    return EXIT_OK;
  },
};
