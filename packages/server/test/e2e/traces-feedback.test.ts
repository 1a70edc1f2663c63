import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/screenshots');
const WRITE_SCREENSHOTS = process.env.STEPWISE_SCREENSHOTS === '1';
const skipped = browserTestsSkipped();

describe.skipIf(skipped !== null)('Traces page and feedback in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let key: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    demo = await startDemoServer();
    base = demo.server.url;
    key = demo.server.firstApiKey!;
    expect(key).toBeTruthy();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${base}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('finds a trace posted without a run by a word of its tool result, and opens it at that event', async () => {
    const posted = await api('POST', '/api/v1/traces', {
      trace_id: 'tr_posted_alone',
      scenario_id: 'sc_battery_question',
      agent_name: 'support-bot',
      timestamp: '2026-03-13T14:30:00Z',
      duration_ms: 1000,
      events: [
        { type: 'user_input', timestamp: '2026-03-13T14:30:00Z', data: { message: 'Is the battery covered?' } },
        { type: 'agent_reasoning', timestamp: '2026-03-13T14:30:00.100Z', id: 'think', data: { text: 'Look it up.' } },
        {
          type: 'tool_call',
          timestamp: '2026-03-13T14:30:00.200Z',
          parent_id: 'think',
          data: {
            tool: 'lookup_policy',
            duration_ms: 400,
            parameters: { part: 'battery' },
            result: { text: 'Batteries carry a 3-year quadrennial warranty.' },
          },
        },
        { type: 'agent_response', timestamp: '2026-03-13T14:30:01Z', data: { message: 'Yes, it is covered.' } },
      ],
    });
    expect(posted.status).toBe(201);

    await page.goto(`${base}/runs`);
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await page.waitForURL(`${base}/traces`);
    await page.getByRole('searchbox', { name: 'Search traces' }).fill('quadrennial');
    await page.getByRole('button', { name: 'Search' }).click();
    const item = page.locator('li[data-trace-id="tr_posted_alone"]');
    await item.waitFor();
    expect(await page.locator('li[data-trace-id]').count()).toBe(1);
    expect(await item.textContent()).toContain('no run');
    expect(await item.locator('mark.search-hit').textContent()).toBe('quadrennial');
    expect(await item.locator('.trace-match').getAttribute('data-event')).toBe('2');
    if (WRITE_SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/traces-search.png` });

    await item.locator('.trace-match').click();
    await page.locator('[data-testid="timeline"][data-ready="true"]').waitFor();
    const row = page.locator('#event-row-2');
    await row.locator('[data-testid="event-details"]').waitFor();
    expect(await row.getAttribute('class')).toContain('is-search-match');
    expect(await row.locator('.json-viewer', { hasText: 'Result' }).textContent()).toContain('quadrennial');
    expect(new URL(page.url()).hash).toBe('#event-2');
    // The tool call is nested under the reasoning step it names as its parent.
    expect(await row.locator('.row-summary').getAttribute('data-depth')).toBe('1');
    expect(await page.locator('#event-row-1 .row-summary').getAttribute('data-depth')).toBe('0');
    // Waterfall: the reasoning step spans the call nested under it, so the child's bar lies within the parent's.
    const parentBar = await page.locator('#event-row-1 [data-waterfall="bar"]').boundingBox();
    const childBar = await page.locator('#event-row-2 [data-waterfall="bar"]').boundingBox();
    expect(parentBar).not.toBeNull();
    expect(childBar).not.toBeNull();
    expect(childBar!.width).toBeGreaterThan(0);
    expect(childBar!.x).toBeGreaterThanOrEqual(parentBar!.x - 0.5);
    expect(childBar!.x + childBar!.width).toBeLessThanOrEqual(parentBar!.x + parentBar!.width + 0.5);
    expect(parentBar!.width).toBeGreaterThan(childBar!.width);

    // The "in no run" filter is in the URL and finds it too, without a search.
    await page.goto(`${base}/traces?run=none`);
    await item.waitFor();
    expect(await page.locator('li[data-trace-id]').count()).toBe(1);
  });

  it('marks a finding wrong: shown on the timeline, counted in the runs list, listed as disputed, audited', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('link', { name: 'Nightly regression', exact: true }).click();
    const row = page.locator('tr[data-scenario="sc_warranty_hardware"]');
    await row.waitFor();
    const traceId = (await row.getAttribute('data-trace-id'))!;
    await row.getByRole('link', { name: 'sc_warranty_hardware' }).click();
    await page.locator('[data-testid="timeline"][data-ready="true"]').waitFor();

    const side = page.locator('.trace-side .side-finding', { has: page.locator('.finding-note[data-finding="hallucination"]') });
    await side.getByRole('button', { name: 'Wrong…' }).click();
    await side.getByRole('textbox', { name: 'Why the hallucination finding is wrong' }).fill('The article exists; the index was stale');
    await side.getByRole('button', { name: 'Mark wrong' }).click();
    await side.locator('[data-testid="finding-mark"]', { hasText: 'Marked wrong' }).waitFor();
    expect(await side.locator('[data-testid="finding-mark"]').textContent()).toContain('The article exists; the index was stale');
    // On the timeline, the finding's events carry it as disputed.
    await page.locator('#event-row-1 [data-finding="hallucination"].is-disputed').waitFor();

    // A comment on a step shows on its row.
    await page.locator('#event-row-1 .row-main').click();
    await page.getByRole('textbox', { name: 'Comment on event 1' }).fill('Why was the search empty?');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.locator('#event-row-1 .badge-comment').waitFor();
    expect(await page.locator('#event-row-1 .comment').textContent()).toContain('Why was the search empty?');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Test runs' }).click();
    const runs = await api('GET', '/api/v1/runs');
    const nightly = runs.body.runs.find((r: { name: string }) => r.name === 'Nightly regression');
    const badge = page.locator(`tr[data-run-id="${nightly.id}"] [data-finding="hallucination"]`);
    await badge.waitFor();
    expect(await badge.textContent()).toContain('1 disputed');

    await page.getByRole('link', { name: 'Disputed' }).click();
    const disputed = page.locator('li[data-finding-key^="hallucination@"]');
    await disputed.waitFor();
    expect(await disputed.textContent()).toContain('The article exists; the index was stale');

    const audit = await api('GET', '/api/v1/audit');
    const actions = audit.body.entries.map((e: { action: string; target_id: string }) => `${e.action} ${e.target_id}`);
    expect(actions).toEqual(expect.arrayContaining([`finding.mark ${traceId}`, `event.comment ${traceId}`]));
  });
});
