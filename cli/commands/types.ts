import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from '../io';

/** Options a command declares for node:util parseArgs (--json and --help are added for all). */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values as parseArgs returns them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  io: CliIo;
  /** --json: print exactly one JSON document on stdout and nothing else. */
  json: boolean;
}

/**
 * One `slim <name>` command. To add a command, write cli/commands/<name>.ts exporting a
 * Command and add it to the list in cli/commands/index.ts.
 */
export interface Command {
  name: string;
  /** One line for `slim --help`. */
  summary: string;
  /** Full text for `slim <name> --help`: usage line, options, an example. */
  help: string;
  options: OptionSpec;
  /** Returns the exit code; throws CliUsageError (exit 2) for bad input. */
  run(values: OptionValues, context: CommandContext): number | Promise<number>;
}

/** The string value of an option, or undefined (boolean/multiple never occur for our specs). */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Prints `value` as the single JSON document of a --json run. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
