// The CLI as a user types it after the README's install command, and the install's own promises.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../test-support/fixtures.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'stepwise-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm exec -- stepwise …` from the repository root, exactly as the README's `npx stepwise …` lines run. */
function npmExecStepwise(args: string[]) {
  return run('npm', ['exec', '--no', '--', 'stepwise', ...args], {
    cwd: ROOT,
    env: { ...process.env, STEPWISE_URL: '', STEPWISE_API_KEY: '' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('npx stepwise from the repository root', () => {
  it('prints its help', async () => {
    const help = await npmExecStepwise(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: stepwise/);
    for (const command of ['serve', 'sync', 'show', 'mcp', 'import']) expect(help.stdout).toContain(command);
  });

  it('syncs the brief’s example into a database file and shows it back', async () => {
    const db = join(dir, 'cli.db');
    const file = join(dir, 'sync.json');
    const { trace, result } = seedExamples();
    writeFileSync(file, JSON.stringify({ agent_name: 'customer-support-agent', results: [{ ...(result as object), trace }] }));
    const synced = await npmExecStepwise(['sync', file, '--db', db]);
    expect(synced.stderr).toBe('');
    expect(synced.code).toBe(0);
    const shown = await npmExecStepwise(['show', 'tr_abc123', '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Trace tr_abc123 {2}· {2}scenario sc_xyz789/);
    expect(shown.stdout).toMatch(/tool_call\s+search_knowledge_base\(query="refund policy digital products"\)/);
  });
});

describe('the committed launcher', () => {
  it('says how to build when the CLI is not built yet', async () => {
    const bare = join(dir, 'bare', 'bin');
    mkdirSync(bare, { recursive: true });
    copyFileSync(join(ROOT, 'packages/server/bin/stepwise.js'), join(bare, 'stepwise.js'));
    writeFileSync(join(dir, 'bare', 'package.json'), '{"type":"module"}');
    const failed = await run(process.execPath, [join(bare, 'stepwise.js'), '--help']).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stderr).toContain('Run `npm run build`');
  });
});

describe('the install', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; bin?: Record<string, string> }>;
  };

  it('approves every install script the lock file holds, so npm neither warns nor, later, blocks the native build', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.hasInstallScript && path.startsWith('node_modules/'))
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts).toContain('better-sqlite3');
    const unapproved = withScripts.filter((name) => manifest.allowScripts?.[name] !== true);
    expect(unapproved).toEqual([]);
  });

  it('records the same stepwise bin in the lock file as the package declares, a file that exists before any build', () => {
    const server = JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8')) as { bin: Record<string, string> };
    const declared = server.bin.stepwise!.replace(/^\.\//, '');
    expect(lock.packages['packages/server']?.bin?.stepwise).toBe(declared);
    expect(readFileSync(join(ROOT, 'packages/server', declared), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});

describe('the house rules npm test enforces', () => {
  it('runs the formatter and the linter before the build', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.test).toMatch(/^npm run lint && /);
    expect(manifest.scripts.lint).toContain('prettier --check .');
    expect(manifest.scripts.lint).toContain('eslint .');
  });

  it('has ESLint refuse a hook called conditionally in the dashboard and an unused variable anywhere', async () => {
    const { ESLint } = await import('eslint');
    const eslint = new ESLint({ cwd: ROOT });
    const [web] = await eslint.lintText(
      "import { useState } from 'react';\nexport function A({ on }: { on: boolean }) {\n  if (on) useState(0);\n  return null;\n}\n",
      { filePath: join(ROOT, 'packages/web/src/ui/Probe.tsx') },
    );
    expect(web?.messages.map((m) => m.ruleId)).toContain('react-hooks/rules-of-hooks');
    const [core] = await eslint.lintText('export function f(): number {\n  const unused = 1;\n  return 2;\n}\n', {
      filePath: join(ROOT, 'packages/core/src/probe.ts'),
    });
    expect(core?.messages.map((m) => m.ruleId)).toContain('@typescript-eslint/no-unused-vars');
  });

  it('has Prettier reject a line past 140 characters', async () => {
    const prettier = await import('prettier');
    const options = await prettier.resolveConfig(join(ROOT, 'packages/core/src/probe.ts'));
    const long = `export const words = [${Array.from({ length: 30 }, (_, i) => `'word${i}'`).join(', ')}];\n`;
    expect(await prettier.check(long, { ...options, filepath: join(ROOT, 'packages/core/src/probe.ts') })).toBe(false);
    expect(options?.printWidth).toBe(140);
  });
});
