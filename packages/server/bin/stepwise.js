#!/usr/bin/env node
// The `stepwise` bin. Committed as plain JavaScript so npm can link it on install, before the
// TypeScript build exists; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'stepwise: the CLI is not built yet. Run `npm run build` in the repository first (`npm start` and `npm test` build too).\n',
  );
  process.exit(1);
}
await import(cli.href);
