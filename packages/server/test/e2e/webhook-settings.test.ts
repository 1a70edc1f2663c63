import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const skipped = browserTestsSkipped();

describe.skipIf(skipped !== null)('the webhook settings page in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let received = 0;
  let hookUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/secret-token-1234`;
    demo = await startDemoServer();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${demo.server.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('saves a webhook, shows its URL masked, and lists the delivery of a regressed run', async () => {
    await page.goto(`${demo.server.url}/settings/webhook`);
    await page.getByText('No webhook: regressions are not posted anywhere.').waitFor();
    await page.getByLabel('URL').fill(hookUrl);
    await page.getByLabel('Format').selectOption('slack');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Now: /).waitFor();
    const now = await page.getByText(/^Now: /).textContent();
    expect(now).toMatch(/http:\/\/127\.0\.0\.1:\d+\/…1234 \(Slack text\)/);
    expect(await page.content()).not.toContain('secret-token');

    const result = (scenario: string, passed: boolean) => ({ scenario_id: scenario, user_message: 'q', agent_response: 'a', passed });
    const { pipeline, webhooks } = demo.server.runtime;
    await pipeline.sync({ agent_name: 'hook-agent', results: [result('sc_1', true)] }, { workspaceId: 'ws_default' });
    const head = await pipeline.sync({ agent_name: 'hook-agent', results: [result('sc_1', false)] }, { workspaceId: 'ws_default' });
    await webhooks.idle();
    expect(received).toBe(1);
    await page.reload();
    const row = page.locator('tr', { hasText: head.test_run_id });
    await row.waitFor();
    expect(await row.textContent()).toContain('delivered');
    expect(await row.textContent()).toContain('1 regression');
  });
});
