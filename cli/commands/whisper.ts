import { whisperTable, type EncoderDecoderRow } from '../../roofline';
import { parseOptionalCount } from '../args';
import { EXIT_OK } from '../errors';
import { formatRatio, table } from '../format';
import { printJson, stringValue, type Command } from './types';

const millions = (x: number) => (x / 1e6).toFixed(1);

export const whisperCommand: Command = {
  name: 'whisper',
  summary: 'the Whisper table of paper §4: caches, weights, reads per token, speedups',
  help: `Usage: slim whisper [--batch B] [--json]

Cache sizes, decoder weights read per token, reads per token at batch B (cache + params/B)
and the decode speedups of options 1 and 2 for Whisper tiny … large (paper §4; p = 1500
encoder tokens, 448 decoder tokens). The option-2 cache excludes the E-cache (kept on chip).

Options:
  --batch B    sequences decoded together (default 1; the paper shows 1 and 64)
  --json       print one JSON document: an array with one row per model,
               {model, cache: {baseline, option1, option2}, params: {…}, reads: {…},
                speedup: {option1, option2}}, counts in values
  -h, --help   show this help

Example: slim whisper --batch 64
`,
  options: { batch: { type: 'string' } },
  run(values, { io, json }) {
    const batch = parseOptionalCount(stringValue(values, 'batch'), 'batch', 1);
    const rows: EncoderDecoderRow[] = whisperTable(batch);
    if (json) {
      printJson(io, rows);
      return EXIT_OK;
    }
    const line = (label: string, pick: (r: EncoderDecoderRow) => string) => [
      label,
      ...rows.map(pick),
    ];
    io.stdout(
      `Whisper, batch ${batch}: millions of values (paper §4)\n\n` +
        table(
          ['', ...rows.map((r) => r.model.replace('whisper-', ''))],
          [
            line('cache: baseline', (r) => millions(r.cache.baseline)),
            line('cache: option 1', (r) => millions(r.cache.option1)),
            line('cache: option 2', (r) => millions(r.cache.option2)),
            line('params: baseline', (r) => millions(r.params.baseline)),
            line('params: option 1', (r) => millions(r.params.option1)),
            line('params: option 2', (r) => millions(r.params.option2)),
            line('reads/token: baseline', (r) => millions(r.reads.baseline)),
            line('reads/token: option 1', (r) => millions(r.reads.option1)),
            line('reads/token: option 2', (r) => millions(r.reads.option2)),
            line('speedup: option 1', (r) => formatRatio(r.speedup.option1)),
            line('speedup: option 2', (r) => formatRatio(r.speedup.option2)),
          ],
        ),
    );
    return EXIT_OK;
  },
};
