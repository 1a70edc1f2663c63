import { createRedactor, type PrivacySettingsInput, type Redactor, type ResultItem, type SyncReply, type SyncSource } from '@stepwise/core';
import { TraceBuilder, newTraceId, type ResultOptions } from './trace-builder.js';

/** What went wrong while sending telemetry; handed to `onError`, never thrown into the host program. */
export class StepwiseSyncError extends Error {
  override readonly name = 'StepwiseSyncError';
  constructor(
    message: string,
    /** The HTTP status when the server answered, else undefined. */
    readonly status?: number,
    /** The server's stable error code (`validation_failed`, `unauthorized`, …) when it sent one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface StepwiseClientOptions {
  /** The agent under test; every result of this client goes to one run of this agent. */
  agentName: string;
  /** Server URL; defaults to the STEPWISE_URL environment variable. */
  url?: string;
  /** API key; defaults to STEPWISE_API_KEY. */
  apiKey?: string;
  /** A name for the test run shown in the dashboard. */
  runName?: string;
  /** Append to an existing run instead of starting a new one. */
  testRunId?: string;
  source?: SyncSource;
  /** Results per request (default 50); a full batch is sent at once. */
  batchSize?: number;
  /** Retries of a failed request (network error, timeout, 408, 429, 5xx), default 4. */
  maxRetries?: number;
  /** First backoff delay; doubled per retry with jitter, capped at 10 s (default 250 ms). */
  retryBaseMs?: number;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /**
   * Redact PII and secrets before anything leaves the process, with core's redactor (default on;
   * `false` turns it off, an object configures the rules). The server redacts again either way.
   */
  redact?: boolean | PrivacySettingsInput;
  /** Send what is queued when the process is about to exit (`beforeExit`), default on. */
  flushOnExit?: boolean;
  /** Where errors go instead of the host program; the default writes one line to stderr. */
  onError?: (error: StepwiseSyncError) => void;
  fetch?: typeof fetch;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

function defaultOnError(error: StepwiseSyncError): void {
  process.stderr.write(`stepwise: ${error.message}\n`);
}

function env(name: string): string | undefined {
  const value = globalThis.process?.env?.[name];
  return value === undefined || value === '' ? undefined : value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// One `beforeExit` listener for all clients, so many clients never trip Node's listener-leak warning.
const flushingOnExit = new Set<StepwiseClient>();
const flushAllOnExit = () => {
  for (const client of flushingOnExit) void client.flushIfQueued();
};
function watchExit(client: StepwiseClient, on: boolean): void {
  if (on) flushingOnExit.add(client);
  else flushingOnExit.delete(client);
  const proc = globalThis.process;
  if (!proc?.on) return;
  proc.off('beforeExit', flushAllOnExit);
  if (flushingOnExit.size > 0) proc.on('beforeExit', flushAllOnExit);
}

/**
 * Sends results to a Stepwise server (`POST /api/v1/sync`) in batches, with retries and backoff.
 * All batches of one client land in one test run. Nothing it does throws into the caller: errors
 * go to `onError`, and `flush()` always resolves.
 *
 * @example
 * const client = new StepwiseClient({ agentName: 'support-bot' });
 * client.add(trace.toResult({ passed: true }));
 * await client.flush(); // also runs on process exit
 */
export class StepwiseClient {
  readonly agentName: string;
  private readonly url: string | undefined;
  private readonly apiKey: string | undefined;
  private readonly options: StepwiseClientOptions;
  private readonly redactor: Redactor | null;
  private readonly queue: ResultItem[] = [];
  private sending: Promise<void> = Promise.resolve();
  private runId: string | undefined;
  private lastReply: SyncReply | undefined;
  private warnedDisabled = false;

  constructor(options: StepwiseClientOptions) {
    this.options = options;
    this.agentName = options.agentName;
    this.url = (options.url ?? env('STEPWISE_URL'))?.replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? env('STEPWISE_API_KEY');
    this.runId = options.testRunId;
    this.redactor = this.makeRedactor(options.redact ?? true);
    if (options.flushOnExit !== false) watchExit(this, true);
  }

  /** The run the results went to, once the first batch was accepted. */
  get testRunId(): string | undefined {
    return this.runId;
  }

  /** The server's reply to the last accepted batch (dashboard link, counts, rejections). */
  get lastSync(): SyncReply | undefined {
    return this.lastReply;
  }

  /** Whether a URL is configured; without one, results are dropped with one note to `onError`. */
  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** Queues one result (or a trace with its pass/fail); a full batch is sent right away. */
  add(result: ResultItem | TraceBuilder, options: ResultOptions = {}): void {
    this.guard(() => {
      const item = result instanceof TraceBuilder ? result.toResult(options) : result;
      if (!this.enabled) return this.noteDisabled();
      this.queue.push(this.prepare(item));
      if (this.queue.length >= this.batchSize) void this.flush();
    });
  }

  /** Sends everything queued; resolves when it is sent or given up on (never rejects). */
  flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      this.sending = this.sending.then(() => this.sendBatch(batch)).catch((error: unknown) => this.report(error));
    }
    return this.sending;
  }

  /** Sends what is queued, if anything (what the exit hook runs: an idle client adds no work). */
  flushIfQueued(): Promise<void> | undefined {
    return this.queue.length > 0 ? this.flush() : undefined;
  }

  /** Flushes and stops listening for process exit. */
  async close(): Promise<void> {
    watchExit(this, false);
    await this.flush();
  }

  private get batchSize(): number {
    return Math.max(1, this.options.batchSize ?? 50);
  }

  private makeRedactor(redact: boolean | PrivacySettingsInput): Redactor | null {
    if (redact === false) return null;
    try {
      return createRedactor(redact === true ? undefined : redact);
    } catch (error) {
      this.report(error);
      return createRedactor();
    }
  }

  /** A trace id on every result makes a retried request idempotent on the server. */
  private prepare(item: ResultItem): ResultItem {
    const traceId = item.trace_id ?? item.trace?.trace_id ?? newTraceId();
    const withId: ResultItem = { ...item, trace_id: traceId, ...(item.trace ? { trace: { ...item.trace, trace_id: traceId } } : {}) };
    return this.redactor ? this.redactor.redactValue(withId).value : withId;
  }

  private async sendBatch(results: ResultItem[]): Promise<void> {
    const body: Record<string, unknown> = { agent_name: this.agentName, results, source: this.options.source ?? 'api' };
    if (this.runId) body.test_run_id = this.runId;
    else if (this.options.runName) body.name = this.options.runName;
    const reply = await this.postWithRetries(JSON.stringify(body));
    this.runId = reply.test_run_id;
    this.lastReply = reply;
    for (const r of reply.rejected) {
      const paths = r.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      this.report(new StepwiseSyncError(`the server rejected result ${r.index} of a batch: ${paths}`, 200, 'validation_failed'));
    }
  }

  private async postWithRetries(body: string): Promise<SyncReply> {
    const retries = Math.max(0, this.options.maxRetries ?? 4);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.post(body);
      if (outcome.reply) return outcome.reply;
      if (!outcome.retry || attempt >= retries) throw outcome.error;
      await sleep(outcome.retryAfterMs ?? this.backoff(attempt));
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? 250;
    const cap = Math.min(10_000, base * 2 ** attempt);
    return cap / 2 + Math.random() * (cap / 2);
  }

  private async post(body: string): Promise<{ reply?: SyncReply; error?: StepwiseSyncError; retry?: boolean; retryAfterMs?: number }> {
    const doFetch = this.options.fetch ?? fetch;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await doFetch(`${this.url}/api/v1/sync`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { error: new StepwiseSyncError(`could not reach ${this.url}: ${reason}`), retry: true };
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { reply: JSON.parse(text) as SyncReply };
    const detail = parseError(text);
    const message = `POST ${this.url}/api/v1/sync answered ${response.status}${detail.message ? `: ${detail.message}` : ''}`;
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      error: new StepwiseSyncError(message, response.status, detail.code),
      retry: RETRYABLE.has(response.status),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter, 30) * 1000 } : {}),
    };
  }

  private noteDisabled(): void {
    if (this.warnedDisabled) return;
    this.warnedDisabled = true;
    this.report(new StepwiseSyncError('no server URL (set STEPWISE_URL or pass url); results are not sent'));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    const wrapped =
      error instanceof StepwiseSyncError ? error : new StepwiseSyncError(error instanceof Error ? error.message : String(error));
    try {
      (this.options.onError ?? defaultOnError)(wrapped);
    } catch {
      // The user's own error hook threw: telemetry still must not break the host program.
    }
  }
}

function parseError(text: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return parsed.error ?? {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}
