import { StepwiseError, mapOtlpTrace, stepwiseTraceIdOf, type OtlpSpan, type OtlpTraceMapping } from '@stepwise/core';
import type { IngestPipeline } from '../ingest/pipeline.js';

export interface AssemblerOptions {
  pipeline: IngestPipeline;
  /** How long an incomplete trace (a span's parent not yet seen, or no root) waits for more spans before it is stored as it is. */
  settleMs?: number;
  /** How long spans of a stored trace are kept, so late spans can be merged in (the trace is replaced, never duplicated). */
  retainMs?: number;
  /** Most spans held in memory across all traces; beyond it, the oldest stored traces are forgotten first. */
  maxSpans?: number;
  log?: (line: string) => void;
  clock?: () => number;
}

export interface AcceptOutcome {
  /** Spans that were not stored, and why (OTLP `partial_success`). */
  rejectedSpans: number;
  messages: string[];
  /** Stepwise trace ids stored or replaced by this request. */
  storedTraceIds: string[];
}

interface Pending {
  workspaceId: string;
  otelTraceId: string;
  spans: Map<string, OtlpSpan>;
  lastSeen: number;
  /** The span set as last stored (its span ids joined), or null if not stored yet. */
  storedSignature: string | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Assembles OpenTelemetry spans, which may arrive in several requests and in any order, into
 * Stepwise traces, and stores them through the one ingest pipeline (validation, redaction,
 * truncation, analysis). A trace is complete when its root span (no parent) has arrived and every
 * span's parent has arrived too; it is then stored at once. An incomplete trace is stored as it is
 * after `settleMs` without new spans. A span that arrives after its trace was stored (within
 * `retainMs`) replaces the stored trace with the merged one. Span ids de-duplicate re-sent spans.
 */
export class OtlpAssembler {
  private readonly pending = new Map<string, Pending>();
  /** `workspace\0agent\0label` → the run created for that `stepwise.test_run_id` label. */
  private readonly runs = new Map<string, string>();
  private readonly pipeline: IngestPipeline;
  private readonly settleMs: number;
  private readonly retainMs: number;
  private readonly maxSpans: number;
  private readonly log: (line: string) => void;
  private readonly clock: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: AssemblerOptions) {
    this.pipeline = options.pipeline;
    this.settleMs = options.settleMs ?? 5000;
    this.retainMs = options.retainMs ?? 10 * 60_000;
    this.maxSpans = options.maxSpans ?? 200_000;
    this.log = options.log ?? ((line) => console.error(line));
    this.clock = options.clock ?? (() => Date.now());
  }

  /** Adds the spans of one export request; stores every trace they complete. Requests are handled one at a time. */
  accept(workspaceId: string, spans: OtlpSpan[]): Promise<AcceptOutcome> {
    const run = this.queue.then(() => this.acceptNow(workspaceId, spans));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stores every incomplete trace as it is (on shutdown). */
  async flush(): Promise<void> {
    this.closed = true;
    const run = this.queue.then(async () => {
      const waiting = [...this.pending.values()].filter((p) => p.storedSignature === null);
      for (const p of waiting) if (p.timer) clearTimeout(p.timer);
      await this.store(waiting);
    });
    this.queue = run.catch(() => undefined);
    await run;
  }

  /** How many spans are held in memory (for the docs' limits and the bench). */
  get bufferedSpans(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.spans.size;
    return n;
  }

  private async acceptNow(workspaceId: string, spans: OtlpSpan[]): Promise<AcceptOutcome> {
    const now = this.clock();
    this.sweep(now);
    const touched = new Set<Pending>();
    for (const span of spans) {
      const key = `${workspaceId}\u0000${span.traceId}`;
      let p = this.pending.get(key);
      if (!p) {
        p = { workspaceId, otelTraceId: span.traceId, spans: new Map(), lastSeen: now, storedSignature: null, timer: null };
        this.pending.set(key, p);
      }
      p.spans.set(span.spanId, span);
      p.lastSeen = now;
      touched.add(p);
    }
    const ready: Pending[] = [];
    for (const p of touched) {
      if (p.storedSignature !== null) {
        if (signature(p) !== p.storedSignature) ready.push(p); // a late span: replace the stored trace
      } else if (isComplete(p)) {
        ready.push(p);
      } else {
        this.schedule(p);
      }
    }
    return this.store(ready);
  }

  private schedule(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    if (this.closed) return;
    p.timer = setTimeout(() => {
      p.timer = null;
      const run = this.queue.then(async () => {
        if (p.storedSignature === null) await this.store([p]);
      });
      this.queue = run.catch((error: unknown) =>
        this.log(`otlp: storing a settled trace failed: ${(error as Error)?.message ?? String(error)}`),
      );
    }, this.settleMs);
    p.timer.unref?.();
  }

  private async store(ready: Pending[]): Promise<AcceptOutcome> {
    const outcome: AcceptOutcome = { rejectedSpans: 0, messages: [], storedTraceIds: [] };
    const groups = new Map<string, Array<{ p: Pending; mapping: OtlpTraceMapping }>>();
    for (const p of ready) {
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      const mapping = mapOtlpTrace([...p.spans.values()]);
      if (mapping === null) {
        outcome.rejectedSpans += p.spans.size;
        outcome.messages.push(
          `trace ${p.otelTraceId}: no span carries GenAI (gen_ai.*) or OpenInference attributes, so there is no agent step to store`,
        );
        this.pending.delete(`${p.workspaceId}\u0000${p.otelTraceId}`);
        continue;
      }
      const label = mapping.run_label ?? `otlp ${mapping.agent_name} ${new Date(this.clock()).toISOString().slice(0, 10)}`;
      const key = `${p.workspaceId}\u0000${mapping.agent_name}\u0000${label}`;
      const group = groups.get(key) ?? [];
      group.push({ p, mapping });
      groups.set(key, group);
    }
    for (const [key, group] of groups) {
      const [workspaceId, agent, label] = key.split('\u0000') as [string, string, string];
      for (const { p } of group) {
        if (p.storedSignature !== null) await this.pipeline.store.deleteTrace(workspaceId, stepwiseTraceIdOf(p.otelTraceId));
      }
      const runId = await this.runFor(workspaceId, agent, label);
      const request = {
        agent_name: agent,
        results: group.map((g) => g.mapping.result),
        source: 'api' as const,
        ...(runId !== null ? { test_run_id: runId } : { name: label }),
      };
      try {
        const reply = await this.pipeline.sync(request, { workspaceId });
        if (runId === null) this.runs.set(key, reply.test_run_id);
        for (const rejected of reply.rejected) {
          const g = group[rejected.index]!;
          outcome.rejectedSpans += g.p.spans.size;
          outcome.messages.push(`trace ${g.p.otelTraceId}: ${rejected.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        }
        const rejectedIndexes = new Set(reply.rejected.map((r) => r.index));
        group.forEach((g, i) => {
          if (rejectedIndexes.has(i)) {
            this.pending.delete(`${g.p.workspaceId}\u0000${g.p.otelTraceId}`);
          } else {
            g.p.storedSignature = signature(g.p);
            outcome.storedTraceIds.push(g.mapping.result.trace_id);
          }
        });
      } catch (error) {
        if (!(error instanceof StepwiseError)) throw error;
        for (const g of group) {
          outcome.rejectedSpans += g.p.spans.size;
          this.pending.delete(`${g.p.workspaceId}\u0000${g.p.otelTraceId}`);
        }
        const details = error.details as { rejected?: Array<{ errors: Array<{ path: string; message: string }> }> } | undefined;
        const first = details?.rejected?.[0]?.errors[0];
        outcome.messages.push(`${error.message}${first ? ` (${first.path}: ${first.message})` : ''}`);
      }
    }
    return outcome;
  }

  /** The run for a `stepwise.test_run_id` label: a run with that id, else the run this receiver made for the label, else null (a new one). */
  private async runFor(workspaceId: string, agent: string, label: string): Promise<string | null> {
    const known = this.runs.get(`${workspaceId}\u0000${agent}\u0000${label}`);
    if (known !== undefined && (await this.pipeline.store.getRun(workspaceId, known))) return known;
    const byId = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(label) ? await this.pipeline.store.getRun(workspaceId, label) : null;
    if (byId && byId.agent_name === agent) return byId.id;
    return null;
  }

  /** Forgets stored traces older than `retainMs`, and the oldest ones beyond `maxSpans`. */
  private sweep(now: number): void {
    for (const [key, p] of this.pending) {
      if (p.storedSignature !== null && now - p.lastSeen > this.retainMs) this.pending.delete(key);
    }
    let total = this.bufferedSpans;
    if (total <= this.maxSpans) return;
    const stored = [...this.pending.entries()].filter(([, p]) => p.storedSignature !== null).sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [key, p] of stored) {
      if (total <= this.maxSpans) break;
      this.pending.delete(key);
      total -= p.spans.size;
    }
  }
}

function isComplete(p: Pending): boolean {
  let hasRoot = false;
  for (const span of p.spans.values()) {
    if (span.parentSpanId === undefined) hasRoot = true;
    else if (!p.spans.has(span.parentSpanId)) return false;
  }
  return hasRoot;
}

function signature(p: Pending): string {
  return [...p.spans.keys()].sort().join(',');
}
