import type { Browser, Page } from 'playwright-core';
import { PRICE_TABLE_DATE } from '@stepwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const skipped = browserTestsSkipped();

describe.skipIf(skipped !== null)('workspace model prices in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let key: string;

  // One result of 1M input and 1M output tokens of gpt-4o, with no reported cost: Stepwise estimates it.
  const sync = async (scenario: string): Promise<string> => {
    const response = await fetch(`${base}/api/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        agent_name: 'support-bot',
        results: [
          {
            scenario_id: scenario,
            user_message: 'q',
            agent_response: 'r',
            model: 'gpt-4o',
            tokens: { input: 1_000_000, output: 1_000_000 },
          },
        ],
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { trace_ids: string[] }).trace_ids[0]!;
  };

  const costLabel = async (traceId: string): Promise<string> => {
    await page.goto(`${base}/traces/${traceId}`);
    const cost = page.locator('.cost-estimate');
    await cost.waitFor();
    return (await cost.textContent()) ?? '';
  };

  beforeAll(async () => {
    demo = await startDemoServer();
    base = demo.server.url;
    key = demo.server.firstApiKey!;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${base}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('labels an estimate with the table date, then with "workspace prices" once an admin sets them in settings', async () => {
    const before = await costLabel(await sync('sc_prices_before'));
    expect(before).toContain('$12.50');
    expect(before).toContain(`est. (${PRICE_TABLE_DATE} prices)`);

    await page.goto(`${base}/settings/prices`);
    const form = page.getByRole('form', { name: 'Model prices' });
    await form.waitFor();
    await form.getByLabel('Model 1').fill('gpt-4o');
    await form.getByLabel('Input price 1').fill('1');
    await form.getByLabel('Output price 1').fill('3');
    await form.getByRole('button', { name: 'Save prices' }).click();
    await form.locator('.ok-text').waitFor();
    expect(await form.locator('.ok-text').textContent()).toContain('Saved');

    const after = await costLabel(await sync('sc_prices_after'));
    const today = new Date().toISOString().slice(0, 10);
    expect(after).toContain('$4.00');
    expect(after).toContain(`est. (workspace prices, set ${today})`);
    expect(after).not.toContain(PRICE_TABLE_DATE);
  });
});
