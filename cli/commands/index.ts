import { chipsCommand, modelsCommand } from './catalog';
import { checkCommand } from './check';
import { convertCommand } from './convert';
import { complexityCommand } from './complexity';
import { memoryCommand } from './memory';
import { rooflineCommand } from './roofline';
import { runCommand } from './run';
import type { Command } from './types';
import { whisperCommand } from './whisper';

/**
 * The command registry of `slim`. New commands (convert, check, run …) add one import and
 * one entry here; cli/main.ts needs no change.
 */
export const commands: readonly Command[] = [
  memoryCommand,
  complexityCommand,
  whisperCommand,
  rooflineCommand,
  modelsCommand,
  chipsCommand,
  runCommand,
  checkCommand,
  convertCommand,
];

export type { Command, CommandContext, OptionSpec, OptionValues } from './types';
