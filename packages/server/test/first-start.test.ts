import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { main, type Io } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-first-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function occupyPort(): Promise<Server> {
  const blocker = createServer();
  return new Promise((resolvePromise) => blocker.listen(0, '127.0.0.1', () => resolvePromise(blocker)));
}

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), readStdin: async () => '' };
}

describe('first start', () => {
  it('creates nothing when the port cannot be bound, and a later start prints the owner key', async () => {
    const blocker = await occupyPort();
    const dbPath = join(dir, 'busy', 'stepwise.db');
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startServer({ ...defaultConfig({}), port, dbPath, demo: false }, () => {})).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(existsSync(dbPath)).toBe(false);
    const later = await startServer({ ...defaultConfig({}), port: 0, dbPath, demo: false }, () => {});
    try {
      expect(later.firstApiKey).toMatch(/^sw_/);
    } finally {
      await later.close();
    }
  });
});

describe('stepwise login-link', () => {
  const dbPath = join(dir, 'link', 'stepwise.db');

  it('uses the port the last serve bound when no port is given', async () => {
    const server = await startServer({ ...defaultConfig({}), port: 0, dbPath, demo: false }, () => {});
    await server.close();
    const io = captureIo();
    expect(await main(['login-link', '--db', dbPath], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/login\\?token=`));
  });

  it('uses --port, then STEPWISE_PORT, before the recorded port', async () => {
    const io = captureIo();
    expect(await main(['login-link', '--db', dbPath, '--port', '5123'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^http:\/\/127\.0\.0\.1:5123\/login\?token=/);
    const saved = process.env.STEPWISE_PORT;
    process.env.STEPWISE_PORT = '5124';
    try {
      const envIo = captureIo();
      expect(await main(['login-link', '--db', dbPath], envIo)).toBe(0);
      expect(envIo.stdout[0]).toMatch(/^http:\/\/127\.0\.0\.1:5124\/login\?token=/);
    } finally {
      if (saved === undefined) delete process.env.STEPWISE_PORT;
      else process.env.STEPWISE_PORT = saved;
    }
  });
});
