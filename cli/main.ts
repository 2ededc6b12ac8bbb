import { parseArgs } from 'node:util';
import { closeMatches, RooflineInputError } from '../roofline';
import { joinOptionValues } from './args';
import { commands as registry, type Command } from './commands';
import { CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors';
import { processIo, type CliIo } from './io';
import { isInputError } from './model';

function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: slim <command> [options]   (npm run slim -- <command> [options])

Slim attention cost model and tools (Graef & Wasielewski, arXiv 2503.05840: https://arxiv.org/abs/2503.05840). Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --help, and --json to print exactly one JSON document on stdout.
Errors go to stderr; exit code 2 means bad usage or input.
`;
}

/** Node's parseArgs errors carry a code; these are the user's mistakes, not ours. */
function isParseArgsError(error: unknown): error is Error {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS');
}

/**
 * parseArgs keeps the last of `--context 10 --context 20`; a repeated option is more likely a
 * typo than intent, so name it instead of guessing.
 */
function rejectDuplicates(tokens: readonly { kind: string; name?: string; rawName?: string }[]) {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (seen.has(t.name)) throw new CliUsageError(`--${t.name} is given more than once`);
    seen.add(t.name);
  }
}

/**
 * Runs `slim` with the arguments after the program name and returns the exit code. Pure with
 * respect to the process: output goes to `io`, nothing calls process.exit.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo,
  commands: readonly Command[] = registry,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(globalHelp(commands));
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(globalHelp(commands));
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const near = closeMatches(
      name,
      commands.map((c) => ({ id: c.name })),
    );
    const hint = near.length > 0 ? `did you mean: ${near.join(', ')}?` : "see 'slim --help'";
    io.stderr(`slim: unknown command '${name}'; ${hint}\n`);
    return EXIT_USAGE;
  }
  try {
    const options = {
      ...command.options,
      json: { type: 'boolean' as const },
      help: { type: 'boolean' as const, short: 'h' },
    };
    const { values, tokens } = parseArgs({
      args: joinOptionValues(rest, options),
      options,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    rejectDuplicates(tokens);
    if (values.help === true) {
      io.stdout(command.help);
      return EXIT_OK;
    }
    return await command.run(values, { io, json: values.json === true });
  } catch (error) {
    // A checkpoint or tokenizer problem a command did not catch itself is still bad input.
    if (
      error instanceof CliUsageError ||
      error instanceof RooflineInputError ||
      isParseArgsError(error) ||
      isInputError(error)
    ) {
      io.stderr(
        `slim ${command.name}: ${error.message}\nRun 'slim ${command.name} --help' for usage.\n`,
      );
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`slim ${command.name}: unexpected error: ${message}\n`);
    return EXIT_FAILURE;
  }
}
