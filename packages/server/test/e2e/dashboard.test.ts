import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/screenshots');
// The README's screenshots are refreshed on request (STEPWISE_SCREENSHOTS=1 npm test), not by every run.
const WRITE_SCREENSHOTS = process.env.STEPWISE_SCREENSHOTS === '1';
async function snap(page: { screenshot(o: { path: string }): Promise<unknown> }, name: string): Promise<void> {
  if (WRITE_SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}
const skipped = browserTestsSkipped();
if (skipped) console.warn(skipped);

/** Whether every pixel of the element is inside the viewport. */
async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
}

describe.skipIf(skipped !== null)('dashboard in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    demo = await startDemoServer();
    base = demo.server.url;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    // The one-time login link the server prints at start: it sets the session cookie and opens the app.
    expect(demo.server.loginUrl).toBeTruthy();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${base}/`);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('lists the demo runs with counts, pass rates and charts', async () => {
    await page.goto(`${base}/runs`);
    await page.locator('tr[data-run-id]').nth(2).waitFor();
    expect(await page.locator('tr[data-run-id]').count()).toBe(3);
    // The row shows the run's figures as the API reports them (verdicts come from the analysis).
    const runs = (await (await page.request.get(`${base}/api/v1/runs`)).json()) as {
      runs: { id: string; name: string; total: number; passed: number; failed: number; pass_rate: number }[];
    };
    const nightly = runs.runs.find((r) => r.name === 'Nightly regression')!;
    const latest = page.locator(`tr[data-run-id="${nightly.id}"]`);
    expect(await latest.locator('td.num').allTextContents()).toEqual([
      String(nightly.total),
      String(nightly.passed),
      String(nightly.failed),
    ]);
    expect(nightly.failed).toBeGreaterThan(0);
    expect(await latest.locator('.rate-text').textContent()).toBe(`${Math.round(nightly.pass_rate * 100)}%`);
    await page.getByRole('img', { name: 'Pass rate per agent across runs' }).waitFor();
    await snap(page, 'runs-list');
  });

  it('filters runs by agent through the URL', async () => {
    await page.goto(`${base}/runs?agent=travel-agent`);
    await page.getByRole('link', { name: 'Smoke tests' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run-id]').length === 1);
  });

  it('opens a run, then a failing case, and reads a tool call’s parameters with the keyboard', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('link', { name: 'Nightly regression', exact: true }).click();
    const row = page.locator('tr[data-scenario="sc_warranty_hardware"]');
    await row.waitFor();
    expect(await row.locator('.badge-failed').textContent()).toContain('failed');
    await row.getByRole('link', { name: 'sc_warranty_hardware' }).click();

    const timeline = page.locator('[data-testid="timeline"][data-ready="true"]');
    await timeline.waitFor();
    expect(await timeline.getAttribute('data-count')).toBe('4');
    // Keyboard: the list has focus on open; Down moves to the tool call, Enter expands it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const details = page.locator('#event-row-1 [data-testid="event-details"]');
    await details.waitFor();
    expect(await page.locator('#event-row-1').getAttribute('data-type')).toBe('tool_call');
    const parameters = details.locator('.json-viewer', { hasText: 'Parameters' });
    expect(await parameters.textContent()).toContain('"query": "X200 warranty"');
    expect(await details.locator('.json-viewer', { hasText: 'Result' }).textContent()).toContain('"articles": []');
    // The selected event is in the address, so the view can be shared.
    expect(new URL(page.url()).hash).toBe('#event-1');
    await snap(page, 'trace-timeline');
  });

  it('opens a deep link on the event it names, expanded', async () => {
    const traceUrl = page.url().replace(/#.*$/, '');
    await page.goto('about:blank');
    await page.goto(`${traceUrl}#event-2`);
    await page.locator('#event-row-2.is-expanded [data-testid="event-details"]').waitFor();
    expect(await page.locator('#event-row-2').getAttribute('data-type')).toBe('agent_response');
    // Changing the event in the address of an open trace moves there too.
    await page.goto(`${traceUrl}?event=3`);
    await page.locator('#event-row-3.is-expanded [data-testid="event-details"]').waitFor();
    await page.goto(`${traceUrl}#event-1`);
    await page.locator('#event-row-1.is-expanded [data-testid="event-details"]').waitFor();
  });

  it('pins the hallucination finding to the events that show it, with its sentence', async () => {
    const traceId = new URL(page.url()).pathname.split('/').pop()!;
    const analysis = await page.request.get(`${base}/api/v1/traces/${traceId}/analysis`);
    expect(analysis.status()).toBe(200);
    const evaluation = (await analysis.json()) as { findings: { pattern: string; event_indexes: number[] }[] };
    const finding = evaluation.findings.find((f) => f.pattern === 'hallucination')!;
    expect(finding).toBeDefined();
    await page.goto(`${base}/traces/${traceId}`);
    await page.locator('[data-testid="timeline"][data-ready="true"]').waitFor();
    for (const index of finding.event_indexes) {
      await page.locator(`#event-row-${index} [data-finding="hallucination"]`).waitFor();
    }
    const response = finding.event_indexes.at(-1)!;
    expect(await page.locator(`#event-row-${response}`).getAttribute('data-type')).toBe('agent_response');
    const note = page.locator('.trace-side .finding-note[data-finding="hallucination"]');
    expect(await note.textContent()).toContain('search_knowledge_base');
    // Expanding the response shows the finding's sentence on the event itself.
    await page.locator(`#event-row-${response} .row-main`).click();
    expect(await page.locator(`#event-row-${response} .finding-note[data-finding="hallucination"]`).textContent()).toContain(
      'X200 warranty',
    );
  });

  it('compares the two nightly runs and shows where the warranty case diverged', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('checkbox', { name: 'Pick Nightly regression (baseline) to compare' }).check();
    await page.getByRole('checkbox', { name: 'Pick Nightly regression to compare' }).check();
    await page.getByRole('button', { name: 'Compare the 2 runs' }).click();
    await page.waitForURL(/\/compare\/runs\?base=.*&head=/);
    await page.locator('tr[data-scenario]').first().waitFor();
    const warranty = page.locator('tr[data-scenario="sc_warranty_hardware"]');
    expect(await warranty.getAttribute('data-status')).toBe('regression');
    await warranty.getByRole('link', { name: 'Compare traces' }).click();
    await page.waitForURL(/\/compare\?a=.*&b=/);
    const divergence = page.locator('.align-row.is-divergence');
    await divergence.waitFor();
    expect(await page.getByTestId('divergence-banner').textContent()).toContain('search_knowledge_base');
    expect(await inViewport(page, '.align-row.is-divergence')).toBe(true);
    await snap(page, 'compare');
  });

  it('previews the privacy rules live as an admin edits them', async () => {
    await page.goto(`${base}/settings/privacy`);
    const preview = page.locator('section.preview');
    // What the preview shows as stored, without the sample payload's own textarea.
    const shown = () =>
      preview.evaluate((el) => {
        const copy = el.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('textarea').forEach((t) => t.remove());
        return copy.textContent ?? '';
      });
    await preview.getByText('<EMAIL_1>').first().waitFor();
    expect(await shown()).not.toContain('jane.doe@example.com');
    await page
      .locator('fieldset.families label', { hasText: /^\s*email/i })
      .locator('input')
      .uncheck();
    await page.waitForFunction(() => {
      const el = document.querySelector('section.preview');
      if (!el) return false;
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('textarea').forEach((t) => t.remove());
      return (copy.textContent ?? '').includes('jane.doe@example.com');
    });
    expect(await shown()).toContain('<CARD_1>');
  });

  it('deletes a trace after asking for confirmation', async () => {
    await page.goto(`${base}/runs`);
    await page.getByRole('link', { name: 'Nightly regression', exact: true }).click();
    const row = page.locator('tr[data-scenario="sc_shipping_countries"]');
    await row.waitFor();
    const traceId = (await row.getAttribute('data-trace-id'))!;
    await row.getByRole('link', { name: 'sc_shipping_countries' }).click();
    await page.locator('[data-testid="timeline"][data-ready="true"]').waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this trace?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await page.request.get(`${base}/api/v1/traces/${traceId}`)).status()).toBe(200);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.getByTestId('confirm').click();
    await page.waitForURL(/\/runs\/run_/);
    await page.locator('tr[data-scenario="sc_warranty_hardware"]').waitFor();
    expect(await page.locator('tr[data-scenario="sc_shipping_countries"]').count()).toBe(0);
    expect((await page.request.get(`${base}/api/v1/traces/${traceId}`)).status()).toBe(404);
  });

  it('shows a long scenario history a page at a time, summarized whole, and loads older traces on request', async () => {
    const results = Array.from({ length: 62 }, (_, i) => ({
      scenario_id: 'sc_long_history',
      user_message: `question ${i}`,
      agent_response: 'an answer',
      tools_called: [{ name: i % 2 === 0 ? 'search' : 'lookup', parameters: { n: i } }],
      passed: i % 4 !== 0,
    }));
    const reply = await demo.server.runtime.pipeline.sync({ agent_name: 'support-agent', results }, { workspaceId: 'ws_default' });
    expect(reply.synced).toBe(62);
    await page.goto(`${base}/scenarios/sc_long_history`);
    const rows = page.locator('table.table tbody tr');
    await page.getByRole('button', { name: 'Show older traces' }).waitFor();
    expect(await rows.count()).toBe(50);
    expect(await page.getByText('Verdict per run (oldest → newest, the latest 50 of 62)').count()).toBe(1);
    // The tool paths count the whole history (62 traces), not the page on screen.
    const summary = (await (await page.request.get(`${base}/api/v1/scenarios/sc_long_history/traces?limit=1`)).json()) as {
      history: { tool_paths: { tool_path: string[]; count: number; failed: number }[] };
    };
    expect(summary.history.tool_paths.map((p) => p.count)).toEqual([31, 31]);
    expect(await page.locator('.tool-paths li').allTextContents()).toEqual(
      summary.history.tool_paths.map((p) => `${p.count}× ${p.tool_path.join(' → ')}${p.failed > 0 ? ` · ${p.failed} failed` : ''}`),
    );
    await page.getByRole('button', { name: 'Show older traces' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.table tbody tr').length === 62);
    expect(await page.getByRole('button', { name: 'Show older traces' }).count()).toBe(0);
  });

  it('lists API keys, each with its own revoke dialog, and no element id twice', async () => {
    await page.goto(`${base}/settings/keys`);
    await page.getByLabel('Name').fill('CI runner');
    await page.getByRole('button', { name: 'Create key' }).click();
    // The new key shows once in a notice at once; wait for its row in the reloaded table.
    await page.locator('tbody tr', { hasText: 'CI runner' }).waitFor();
    expect(await page.getByRole('button', { name: 'Revoke', exact: true }).count()).toBeGreaterThanOrEqual(2);
    const repeated = await page.evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
      return ids.filter((id, i) => ids.indexOf(id) !== i);
    });
    expect(repeated).toEqual([]);
  });

  it('sends a visitor without a session to the sign-in page, which explains how to get a link', async () => {
    const stranger = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const other = await stranger.newPage();
      await other.goto(`${base}/runs`);
      await other.getByRole('heading', { name: 'Sign in to Stepwise' }).waitFor();
      expect(await other.locator('.login-card').textContent()).toContain('stepwise login-link');
      expect(new URL(other.url()).pathname).toBe('/signin');
    } finally {
      await stranger.close();
    }
  });
});
