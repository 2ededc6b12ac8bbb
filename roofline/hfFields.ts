/**
 * The field readers of roofline's config.json parsers (hfConfig.ts and the family parsers beside
 * it): each names the field at fault in its HfConfigError.
 */
/** A config that cannot be used, with the field at fault (when there is one). */
export class HfConfigError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'HfConfigError';
    this.field = field;
  }
}

export function positiveNumber(config: Json, field: string, fallback: number): number {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new HfConfigError(
      `config.json field "${field}" must be a positive number, got ${JSON.stringify(value)}`,
      field,
    );
  return value;
}

export function flag(config: Json, field: string, fallback: boolean): boolean {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean')
    throw new HfConfigError(
      `config.json field "${field}" must be true or false, got ${JSON.stringify(value)}`,
      field,
    );
  return value;
}

export function text(config: Json, field: string, fallback: string): string {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string')
    throw new HfConfigError(
      `config.json field "${field}" must be a string, got ${JSON.stringify(value)}`,
      field,
    );
  return value;
}

export type Json = Record<string, unknown>;

/**
 * The largest shape number (width, layers, heads, positions, vocabulary …) a config or a typed-in
 * model may give: 2^24 = 16,777,216, far above any real model (Llama 4 Scout's 10,485,760
 * positions is the largest in the catalog), and small enough that every product the cost model
 * forms stays finite and no chart shows NaN.
 */
export const MAX_SHAPE_NUMBER = 2 ** 24;

/** The largest parameter count a custom model may have: 10^15 (a thousand times today's largest). */
export const MAX_CUSTOM_PARAMS = 1e15;

export function positiveInt(config: Json, field: string): number {
  if (!Object.hasOwn(config, field) || config[field] === null || config[field] === undefined)
    throw new HfConfigError(`This config.json is missing the field "${field}".`, field);
  const value = config[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new HfConfigError(
      `Field "${field}" must be a positive integer, got ${JSON.stringify(value)}.`,
      field,
    );
  if (value > MAX_SHAPE_NUMBER)
    throw new HfConfigError(
      `Field "${field}" is ${value > 1e15 ? value.toExponential() : value.toLocaleString('en-US')}, more than ` +
        `${MAX_SHAPE_NUMBER.toLocaleString('en-US')} (2^24), larger than any model the cost ` +
        'model describes.',
      field,
    );
  return value;
}

/** An optional field: absent or null gives undefined; present but invalid is still an error. */
export function optionalPositiveInt(config: Json, field: string): number | undefined {
  if (config[field] === undefined || config[field] === null) return undefined;
  return positiveInt(config, field);
}

/** The first of several alternative names that is present (e.g. GPT-2's n_positions / n_ctx). */
export function positiveIntOneOf(config: Json, fields: readonly string[]): number {
  for (const f of fields) {
    const v = optionalPositiveInt(config, f);
    if (v !== undefined) return v;
  }
  throw new HfConfigError(
    `This config.json is missing the field "${fields[0]}"` +
      (fields.length > 1 ? ` (or ${fields.slice(1).join(', ')})` : '') +
      '.',
    fields[0],
  );
}

export function divide(d: number, heads: number, headsField: string): number {
  if (d % heads !== 0)
    throw new HfConfigError(
      `Field "${headsField}" (${heads}) does not divide the model width ${d}.`,
      headsField,
    );
  return d / heads;
}
