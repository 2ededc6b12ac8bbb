import { bytesPerValueOf, type Dtype } from '../roofline';
import { CliUsageError } from './errors';

/**
 * Option parsing helpers shared by the commands. Numbers are strict: a missing, negative,
 * fractional (where a count is expected) or non-numeric value is a CliUsageError (exit 2).
 */

const NUMBER = /^[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/i;

/** Options whose value is free text: the next argument is their value, whatever it is. */
const FREE_TEXT = new Set(['prompt']);

/**
 * Joins each option that takes a value with the argument after it (`--prompt -x` →
 * `--prompt=-x`), so a value that starts with '-' is that value ("--context -5" reaches the
 * command's own check, "--prompt '- item'" is a prompt) instead of parseArgs's "argument is
 * ambiguous". The argument after a free-text option (--prompt) is always its value; after
 * another option it is the value unless it is one of the command's own options
 * (`--model --json`), where the option needs a value. A word after a single dash that names a
 * long option (`-model`) is refused with the option it probably meant.
 */
export function joinOptionValues(
  argv: readonly string[],
  options: Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>,
): string[] {
  const known = (arg: string) => {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    return arg === '-h' || (name !== undefined && Object.hasOwn(options, name));
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const single = /^-([a-z][a-z-]+)(=.*)?$/i.exec(arg);
    if (single) {
      const near = Object.hasOwn(options, single[1]) ? `; did you mean --${single[1]}?` : '';
      throw new CliUsageError(
        `unknown option '${arg}'${near || ' (long options start with two dashes)'}`,
      );
    }
    const name = /^--([a-z][a-z-]*)$/i.exec(arg)?.[1];
    if (name === undefined || !Object.hasOwn(options, name) || options[name].type !== 'string') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (!FREE_TEXT.has(name) && known(next)))
      throw new CliUsageError(`--${name} needs a value`);
    out.push(`${arg}=${next}`);
    i++;
  }
  return out;
}

function describe(value: string | undefined): string {
  return value === undefined ? 'missing' : `'${value}'`;
}

/**
 * A count ≥ 1: digits, optionally with a k suffix meaning ×1024 (the paper's "16k" = 16384),
 * or scientific notation that lands on an integer ("1e6").
 */
export function parseCount(value: string | undefined, option: string): number {
  if (value === undefined || value.trim() === '') {
    throw new CliUsageError(`--${option} is required (a positive integer)`);
  }
  const text = value.trim();
  const kilo = /k$/i.test(text);
  const digits = kilo ? text.slice(0, -1) : text;
  const parsed = NUMBER.test(digits) ? Number(digits) * (kilo ? 1024 : 1) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new CliUsageError(`--${option} must be a positive integer, got ${describe(value)}`);
  }
  return parsed;
}

/** An optional count with a default. */
export function parseOptionalCount(
  value: string | undefined,
  option: string,
  fallback: number,
): number {
  return value === undefined ? fallback : parseCount(value, option);
}

/** Bytes per value: a positive number (0.5 for 4-bit) or a format name (fp16, int8, …). */
export function parseBytesPerValue(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const key = value.trim().toLowerCase();
  // Own properties only: `constructor` or `__proto__` must not match Object.prototype.
  if (Object.hasOwn(bytesPerValueOf, key)) return bytesPerValueOf[key as Dtype];
  const parsed = NUMBER.test(key) ? Number(key) : NaN;
  if (!Number.isFinite(parsed) || parsed <= 0) {
    const formats = Object.keys(bytesPerValueOf).join(', ');
    throw new CliUsageError(
      `--bytes must be a positive number or one of ${formats}, got ${describe(value)}`,
    );
  }
  return parsed;
}

export function requireString(value: string | undefined, option: string, hint: string): string {
  if (value === undefined || value.trim() === '') {
    throw new CliUsageError(`--${option} is required (${hint})`);
  }
  return value.trim();
}

/**
 * Counts above 2^53 are no longer exact in float64 (neighbouring integers collide), so a
 * result there would print a plausible but wrong number: refuse it with a usage error that names
 * the command's own size options (`options`, e.g. ['--context', '--batch']).
 */
export function assertExactResult(
  value: unknown,
  options: readonly string[] = ['--context', '--batch'],
  path = 'result',
): void {
  if (typeof value === 'number') {
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      const names =
        options.length > 1
          ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`
          : options.join('');
      throw new CliUsageError(
        `${path} = ${value.toExponential(3)} exceeds 2^53 ≈ 9.0e15, where float64 counts stop ` +
          `being exact; use a smaller ${names}`,
      );
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => assertExactResult(v, options, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) assertExactResult(v, options, `${path}.${k}`);
}
