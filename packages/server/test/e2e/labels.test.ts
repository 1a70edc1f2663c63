import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { describeRole, PERMISSION_LABELS } from '@stepwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/screenshots');
const WRITE_SCREENSHOTS = process.env.STEPWISE_SCREENSHOTS === '1';
const skipped = browserTestsSkipped();

/** Whether anything on the page, or inside the element, needs sideways scrolling. */
async function scrollsSideways(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    if (document.scrollingElement!.scrollWidth > window.innerWidth + 1) return true;
    return [...document.querySelectorAll(sel)].some((el) => el.scrollWidth > el.clientWidth + 1);
  }, selector);
}

describe.skipIf(skipped !== null)('labels that do not mislead, in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let phone: Page;
  let base: string;

  beforeAll(async () => {
    demo = await startDemoServer();
    base = demo.server.url;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${base}/`);
    // The phone shares the session: same cookies, a 390 px wide viewport.
    const small = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'light',
      storageState: await context.storageState(),
    });
    phone = await small.newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("explains each role from the server's own permission table", async () => {
    await page.goto(`${base}/settings/members`);
    const help = page.getByTestId('role-help');
    await help.waitFor();
    const member = (await help.locator('[data-role="member"]').textContent()) ?? '';
    expect(member).toContain(`cannot ${PERMISSION_LABELS.delete}`);
    const admin = (await help.locator('[data-role="admin"]').textContent()) ?? '';
    expect(admin).toContain(`cannot ${PERMISSION_LABELS.members}`);
    for (const p of describeRole('admin').can) expect(admin).toContain(PERMISSION_LABELS[p]);
    // Owners can add a member from the dashboard.
    await page.getByLabel('Name').fill('Rita Reviewer');
    await page.getByRole('combobox', { name: 'Role of the new member' }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('combobox', { name: 'Role of Rita Reviewer' }).waitFor();
  });

  it('numbers the divergence by event, as its sentence does', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('checkbox', { name: 'Pick Nightly regression (baseline) to compare' }).check();
    await page.getByRole('checkbox', { name: 'Pick Nightly regression to compare' }).check();
    await page.getByRole('button', { name: 'Compare the 2 runs' }).click();
    await page.locator('tr[data-scenario="sc_warranty_hardware"]').getByRole('link', { name: 'Compare traces' }).click();
    const banner = page.getByTestId('divergence-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).not.toContain('step');
    const heading = /Diverged at event (\d+)/.exec(text)?.[1];
    expect(heading).toBeDefined();
    expect(text).toContain(`event ${heading}`);
  });

  it('shows a scenario’s flip rate with the counts it rests on', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('link', { name: 'Nightly regression', exact: true }).click();
    await page.locator('tr[data-scenario="sc_warranty_hardware"]').getByRole('link', { name: 'history' }).click();
    const flip = page.getByTestId('flip-rate');
    await flip.waitFor();
    expect(await flip.textContent()).toMatch(/\d+% \d+ of \d+ consecutive results? changed verdict/);
  });

  it('edits a scenario’s expectations, refusing invalid ones with their path, and pins a trace', async () => {
    await page.goto(`${base}/scenarios/sc_warranty_hardware`);
    const editor = page.getByRole('textbox', { name: 'Expectations as JSON' });
    await editor.waitFor();
    await editor.fill('{"tools": ["search_knowledge_base"], "order": "sideways"}');
    await page.getByRole('button', { name: 'Save expectations' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('expectations.order');
    await editor.fill('{"tools": ["search_knowledge_base"], "response_contains": ["warranty"]}');
    await page.getByRole('button', { name: 'Save expectations' }).click();
    await page.getByText('Saved as version 1.').waitFor();
    const stored = await page.request.get(`${base}/api/v1/scenarios/sc_warranty_hardware`);
    expect(((await stored.json()) as { expectations: { expectations: unknown } }).expectations.expectations).toEqual({
      tools: ['search_knowledge_base'],
      response_contains: ['warranty'],
    });

    await page.locator('tbody tr').first().getByRole('link').first().click();
    await page.locator('[data-testid="timeline"][data-ready="true"]').waitFor();
    const traceId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await page.getByRole('button', { name: 'Pinned', pressed: true }).waitFor();
    const trace = await page.request.get(`${base}/api/v1/traces/${traceId}?events=none`);
    expect(((await trace.json()) as { summary: { pinned: boolean } }).summary.pinned).toBe(true);
  });

  it('at 390 px, the runs and cases lists and an expanded tool call fit without sideways scrolling', async () => {
    await phone.goto(`${base}/runs`);
    await phone.locator('tr[data-run-id]').first().waitFor();
    expect(await scrollsSideways(phone, '.table-wrap')).toBe(false);
    if (WRITE_SCREENSHOTS) await phone.screenshot({ path: `${SCREENSHOTS}/runs-390.png` });
    await phone.getByRole('link', { name: 'Nightly regression', exact: true }).click();
    const row = phone.locator('tr[data-scenario="sc_warranty_hardware"]');
    await row.waitFor();
    expect(await scrollsSideways(phone, '.table-wrap')).toBe(false);
    await row.getByRole('link', { name: 'sc_warranty_hardware' }).click();
    await phone.locator('[data-testid="timeline"][data-ready="true"]').waitFor();
    await phone.locator('#event-row-1 .row-main').click();
    const details = phone.locator('#event-row-1 [data-testid="event-details"]');
    await details.waitFor();
    const fits = await details.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const timeline = el.closest('.timeline')!.getBoundingClientRect();
      return box.left >= timeline.left && box.right <= timeline.right + 0.5;
    });
    expect(fits).toBe(true);
    expect(await scrollsSideways(phone, '.event-details')).toBe(false);
    if (WRITE_SCREENSHOTS) await phone.screenshot({ path: `${SCREENSHOTS}/trace-390.png` });
  });
});
