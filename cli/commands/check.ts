import { checkModel, DEFAULT_SLIM_TOLERANCE, nothingToConvert } from '../../engine';
import { checkJsonOf } from '../contract';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from '../errors';
import { table } from '../format';
import {
  checkTokenizerFiles,
  openModelDir,
  describeModel,
  familiesHelp,
  ropeFamilies,
  withInputErrors,
} from '../model';
import { requireString } from '../args';
import { printJson, stringValue, type Command } from './types';

const NUMBER = /^[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/i;

function parseTolerance(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SLIM_TOLERANCE;
  const t = NUMBER.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(t > 0) || !Number.isFinite(t))
    throw new CliUsageError(`--tolerance must be a positive number, got '${value}'`);
  return t;
}

const sci = (x: number | null) =>
  x === null ? 'unusable' : Number.isFinite(x) ? x.toExponential(2) : '∞';

export const checkCommand: Command = {
  name: 'check',
  summary: 'per-layer conditioning of a checkpoint: can V be rebuilt from K (or K from V)?',
  help: `Usage: slim check --model DIR [--tolerance T] [--json]

For every layer of the checkpoint in DIR: the condition numbers of W_K and W_V and the float32
error of rebuilding V from K and K from V on the layer's own weights, and the direction that
is more accurate (paper §1, Appendices A and C). W_K and W_V are the layer's d×d projections
in the x·W convention.

  errKtoV = max |fl32(W_K·W_KV) − W_K·W_KV| / max |W_V|
            W_KV = W_K⁻¹·W_V is formed in float64; then W_K and W_KV are stored as float32 and
            multiplied with every product and sum rounded to float32, as float32 inference
            rebuilds V = K·W_KV. W_K·W_KV in float64 equals W_V up to float64 rounding.
  errVtoK = the same with the roles swapped: W_VK = W_V⁻¹·W_K, relative to max |W_K|.

direction is "k-cache" or "v-cache", whichever error is smaller; RoPE models (${ropeFamilies()})
can only run "k-cache" (K = V·W_VK would give un-rotated keys, paper Appendices
C, D, G), so theirs is "k-cache" whenever W_K is invertible. A condition number past 1e12 makes
a direction unusable (its error is null).

Exit code 1 when some layer's chosen direction errs by more than the tolerance (or neither
direction is usable); 2 for a missing or malformed checkpoint.

Options:
  --model DIR      the model directory (config.json, model.safetensors or index + shards)
  --tolerance T    largest acceptable error (default ${DEFAULT_SLIM_TOLERANCE})
  --json           print one JSON document (a contract):
                   {layers: [{layer, condK, condV, errKtoV, errVtoK, direction}]}
                   (null for an unusable error or direction, or an infinite condition number)
  -h, --help       show this help

${familiesHelp()}
Example: slim check --model public/models/moby-llama --json
`,
  options: { model: { type: 'string' }, tolerance: { type: 'string' } },
  async run(values, { io, json }) {
    const dir = requireString(stringValue(values, 'model'), 'model', 'a model directory');
    const tolerance = parseTolerance(stringValue(values, 'tolerance'));
    const opened = await openModelDir(dir);
    await checkTokenizerFiles(dir, opened);
    const gqa = nothingToConvert(opened.spec.parsed.model);
    if (gqa) {
      io.stderr(`slim check: ${dir}: ${gqa}\n`);
      return EXIT_FAILURE;
    }
    const report = await withInputErrors(dir, () => checkModel(opened, { tolerance }));
    const failed = report.filter((r) => !r.ok);
    if (json) {
      printJson(io, checkJsonOf(report));
    } else {
      io.stdout(
        `${dir} (${describeModel(opened)}): float32 rebuild errors, tolerance ${tolerance}\n\n` +
          table(
            ['layer', 'cond(W_K)', 'cond(W_V)', 'err K→V', 'err V→K', 'direction', ''],
            report.map((r) => [
              String(r.layer),
              sci(r.condK),
              sci(r.condV),
              sci(r.f32KtoV),
              sci(r.f32VtoK),
              r.direction ?? 'none',
              r.ok ? 'ok' : 'FAILS',
            ]),
          ),
      );
    }
    if (failed.length > 0) {
      io.stderr(
        `slim check: layer${failed.length > 1 ? 's' : ''} ${failed.map((r) => r.layer).join(', ')} ` +
          `cannot be made slim within ${tolerance} in either direction\n`,
      );
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  },
};
