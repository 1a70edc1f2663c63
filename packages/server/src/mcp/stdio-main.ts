#!/usr/bin/env node
// A standalone entry for `stepwise mcp`, used by the stdio test; the CLI runs the same command.
import { Command } from 'commander';
import { registerMcpCommand } from './mcp-command.js';

const program = new Command('stepwise').exitOverride();
registerMcpCommand(program);
program.parseAsync(['mcp', ...process.argv.slice(2)], { from: 'user' }).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`stepwise mcp: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
