#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// `serve` and `mcp` keep the process alive through open handles; other commands end with their code.
if (code !== 0) process.exit(code);
