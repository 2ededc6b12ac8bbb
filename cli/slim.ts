#!/usr/bin/env node
/** Entry of the `slim` command: `npm run slim -- <command> [options]` (runs under tsx). */
import { runCli } from './main';

process.exitCode = await runCli(process.argv.slice(2));
