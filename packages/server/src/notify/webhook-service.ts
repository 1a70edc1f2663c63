import { randomBytes } from 'node:crypto';
import {
  StepwiseError,
  regressionNoticeJson,
  regressionNoticeSlack,
  regressionReason,
  toCiRun,
  type RegressionNoticeInput,
} from '@stepwise/core';
import type { CompareService } from '../services/compare-service.js';
import type { RunSummary, TraceStore } from '../store/trace-store.js';
import type { WebhookDelivery, WebhookSettings, WebhookStore } from '../store/webhook-store.js';

/** Waits before the 2nd, 3rd, … attempt: five attempts over about half an hour. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [10_000, 60_000, 300_000, 1_800_000];

export interface WebhookServiceOptions {
  store: WebhookStore;
  traces: TraceStore;
  compare: CompareService;
  /** Base URL of the dashboard, for links in the payload. */
  dashboardUrl: () => string;
  clock: () => Date;
  /** Waits between attempts; its length + 1 is the number of attempts. */
  backoffMs?: readonly number[];
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

const FORMATS = ['json', 'slack'] as const;

/**
 * The regression webhook. When a run finishes (a batch sync, or `POST /api/v1/runs/:id/finish` at
 * the end of a streaming run) it is compared with its baseline — the newest earlier run of the same
 * agent, on the same branch when the run has one — and, if it has regressions or a lower pass rate,
 * the workspace's webhook is called: once per run, retried with backoff. Ingest never waits for it.
 */
export class WebhookService {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waits = new Set<() => void>();
  private closed = false;
  private readonly backoff: readonly number[];
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: WebhookServiceOptions) {
    this.backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.log ?? ((line) => console.error(line));
  }

  get store(): WebhookStore {
    return this.options.store;
  }

  /** Validates and saves a workspace's webhook. Only http(s) URLs; the URL is never echoed in errors. */
  async configure(workspaceId: string, input: { url: unknown; format?: unknown }): Promise<WebhookSettings> {
    const url = parseHookUrl(input.url);
    const format = input.format ?? 'json';
    if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
      throw new StepwiseError('validation_failed', 'format must be "json" or "slack"', {
        issues: [{ path: 'format', message: 'expected "json" or "slack"' }],
      });
    }
    return this.options.store.putWebhook(workspaceId, { url, format: format as 'json' | 'slack' }, this.options.clock().toISOString());
  }

  /** Called when a run finishes. Never throws and never waits: the work runs in the background. */
  runFinished(workspaceId: string, runId: string): void {
    if (this.closed) return;
    const work = this.notify(workspaceId, runId).catch((error: unknown) =>
      this.log(`webhook for run ${runId} failed: ${(error as Error).message}`),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Resolves once every notification started so far is delivered or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops waiting for retries (those deliveries end as failed) and lets attempts under way finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waits) wake();
    await this.idle();
  }

  private async notify(workspaceId: string, runId: string): Promise<void> {
    const { store, traces, compare } = this.options;
    const hook = await store.getWebhook(workspaceId);
    if (!hook) return;
    const run = await traces.getRun(workspaceId, runId);
    if (!run) return;
    const baseline = await baselineOf(traces, workspaceId, run);
    if (!baseline) return;
    const { comparison } = await compare.compareRuns(workspaceId, baseline.id, run.id);
    const reason = regressionReason(comparison);
    if (!reason) return;
    const input: RegressionNoticeInput = {
      run: toCiRun(run),
      baseline: toCiRun(baseline),
      comparison,
      dashboard_url: this.options.dashboardUrl(),
    };
    const body = JSON.stringify(hook.format === 'slack' ? regressionNoticeSlack(input) : regressionNoticeJson(input));
    const now = this.options.clock().toISOString();
    const delivery: WebhookDelivery = {
      id: `whd_${randomBytes(10).toString('hex')}`,
      run_id: run.id,
      baseline_run_id: baseline.id,
      format: hook.format,
      status: 'pending',
      attempts: 0,
      last_status_code: null,
      last_error: null,
      reason,
      created_at: now,
      updated_at: now,
    };
    // One delivery per run: finishing a run twice (or a re-sent batch) does not notify twice.
    if (!(await store.createDelivery(workspaceId, delivery))) return;
    await this.deliver(workspaceId, delivery, hook.url, body);
  }

  private async deliver(workspaceId: string, delivery: WebhookDelivery, url: string, body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, body);
      const done = outcome.ok || !outcome.retryable || attempt > this.backoff.length || this.closed;
      const error = outcome.ok
        ? null
        : this.closed && outcome.retryable
          ? `${outcome.error}; the server stopped before the next retry`
          : outcome.error;
      await this.options.store.updateDelivery(workspaceId, delivery.id, {
        status: outcome.ok ? 'delivered' : done ? 'failed' : 'pending',
        attempts: attempt,
        last_status_code: outcome.status,
        last_error: error,
        updated_at: this.options.clock().toISOString(),
      });
      if (done) return;
      await this.wait(this.backoff[attempt - 1]!);
    }
  }

  private async attempt(url: string, body: string): Promise<{ ok: boolean; retryable: boolean; status: number | null; error: string }> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Stepwise-Webhook/1' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, retryable: false, status: response.status, error: '' };
      // Server errors, timeouts and rate limits may pass; other client errors will not.
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
      return { ok: false, retryable, status: response.status, error: `the receiver answered ${response.status}` };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string } };
      const what =
        err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `could not connect (${err.cause?.code ?? err.name})`;
      return { ok: false, retryable: true, status: null, error: what };
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolvePromise) => {
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolvePromise();
      };
      const timer = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }
}

/** The newest run of the same agent created before this one, on the same branch when the run has one. */
async function baselineOf(traces: TraceStore, workspaceId: string, run: RunSummary): Promise<RunSummary | null> {
  const page = await traces.listRuns(workspaceId, {
    agent: run.agent_name,
    ...(run.branch !== null ? { branch: run.branch } : {}),
    // Runs created in the same millisecond count as earlier; the run itself is skipped.
    until: new Date(Date.parse(run.created_at) + 1).toISOString(),
    limit: 2,
    offset: 0,
  });
  return page.items.find((r) => r.id !== run.id) ?? null;
}

function parseHookUrl(value: unknown): string {
  const invalid = (message: string) => new StepwiseError('validation_failed', message, { issues: [{ path: 'url', message }] });
  if (typeof value !== 'string' || value.length === 0) throw invalid('url is required: the http(s) address to POST notifications to');
  if (value.length > 2000) throw invalid('url must be at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid('url is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid('url must start with https:// or http://');
  return parsed.toString();
}

/** The URL as settings show it: origin and the last four characters, since the path is often a secret (Slack). */
export function maskHookUrl(url: string): string {
  const parsed = new URL(url);
  const rest = url.slice(parsed.origin.length);
  return rest.length > 4 ? `${parsed.origin}/…${rest.slice(-4)}` : url;
}
