import { generateComplexity, type ComplexityTable } from '../../roofline';
import { assertExactResult, parseCount, parseOptionalCount } from '../args';
import { EXIT_OK } from '../errors';
import { scaled, table } from '../format';
import { printJson, stringValue, type Command } from './types';

export const complexityCommand: Command = {
  name: 'complexity',
  summary: 'OPs, reads and arithmetic intensity per token per layer (paper Table 2)',
  help: `Usage: slim complexity --d D --h H --n N [--batch B] [--json]

OPs, values read and arithmetic intensity (OPs per value) of one generated token in one
layer, for vanilla MHA and slim attention options 1 and 2 (paper §2, Table 2).

Options:
  --d D        model width d (a multiple of h)
  --h H        number of heads h
  --n N        current sequence length n
  --batch B    sequences decoded together (default 1): projection intensity grows as 2B
  --json       print one JSON document: {vanilla, option1, option2}, each
               {projection: {ops, reads, intensity}, mha: {ops, reads, intensity}}
  -h, --help   show this help

Example: slim complexity --d 4096 --h 32 --n 8192
`,
  options: {
    d: { type: 'string' },
    h: { type: 'string' },
    n: { type: 'string' },
    batch: { type: 'string' },
  },
  run(values, { io, json }) {
    const input = {
      d: parseCount(stringValue(values, 'd'), 'd'),
      h: parseCount(stringValue(values, 'h'), 'h'),
      n: parseCount(stringValue(values, 'n'), 'n'),
      batch: parseOptionalCount(stringValue(values, 'batch'), 'batch', 1),
    };
    const result: ComplexityTable = generateComplexity(input);
    assertExactResult(result, ['--n', '--d', '--batch']);
    if (json) {
      printJson(io, result);
      return EXIT_OK;
    }
    const label = { vanilla: 'vanilla', option1: 'slim, option 1', option2: 'slim, option 2' };
    const rows = (Object.keys(label) as (keyof ComplexityTable)[]).map((scheme) => {
      const { projection, mha } = result[scheme];
      return [
        label[scheme],
        scaled(projection.ops),
        scaled(projection.reads),
        projection.intensity.toFixed(1),
        scaled(mha.ops),
        scaled(mha.reads),
        mha.intensity.toFixed(1),
      ];
    });
    io.stdout(
      `d = ${input.d}, h = ${input.h}, n = ${input.n}, batch ${input.batch} (per token per layer)\n\n` +
        table(
          [
            'scheme',
            'proj OPs',
            'proj reads',
            'proj OPs/value',
            'MHA OPs',
            'MHA reads',
            'MHA OPs/value',
          ],
          rows,
        ),
    );
    return EXIT_OK;
  },
};
