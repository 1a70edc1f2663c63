import type { Trace } from '../trace/schema.js';

/** A number on each side and B minus A. `null` where a side does not record it. */
export interface NumberDelta {
  a: number | null;
  b: number | null;
  delta: number | null;
}

/** The minimal shape of an analysis result that comparison reads (verdict and finding patterns). */
export interface EvaluationLike {
  verdict?: string | null;
  findings?: readonly { pattern: string }[];
}

export interface VerdictDelta {
  a: string | null;
  b: string | null;
  changed: boolean;
}

export interface PatternCount {
  pattern: string;
  a: number;
  b: number;
}

export interface FindingsDelta {
  /** Patterns found in B but not in A, sorted. */
  appeared: string[];
  /** Patterns found in A but not in B, sorted. */
  disappeared: string[];
  /** Findings per pattern on each side, sorted by pattern. */
  counts: PatternCount[];
}

/** Differences between two traces that are not behavior: time, tokens, cost, model, analysis. */
export interface TraceDeltas {
  duration_ms: NumberDelta;
  tokens: NumberDelta;
  cost_usd: NumberDelta;
  events: NumberDelta;
  tool_calls: NumberDelta;
  tool_errors: NumberDelta;
  model: { a: string | null; b: string | null; changed: boolean };
  /** Present when both evaluations were given. */
  verdict?: VerdictDelta;
  /** Present when both evaluations were given. */
  findings?: FindingsDelta;
}

/** Computes the deltas of B against A. */
export function traceDeltas(a: Trace, b: Trace, evaluations?: { a?: EvaluationLike; b?: EvaluationLike }): TraceDeltas {
  const sa = traceFigures(a);
  const sb = traceFigures(b);
  const deltas: TraceDeltas = {
    duration_ms: numberDelta(sa.duration, sb.duration),
    tokens: numberDelta(sa.tokens, sb.tokens),
    cost_usd: numberDelta(sa.cost, sb.cost),
    events: numberDelta(a.events.length, b.events.length),
    tool_calls: numberDelta(sa.toolCalls, sb.toolCalls),
    tool_errors: numberDelta(sa.toolErrors, sb.toolErrors),
    model: { a: sa.model, b: sb.model, changed: sa.model !== sb.model },
  };
  const ea = evaluations?.a;
  const eb = evaluations?.b;
  if (ea && eb) {
    const va = ea.verdict ?? null;
    const vb = eb.verdict ?? null;
    deltas.verdict = { a: va, b: vb, changed: va !== vb };
    deltas.findings = findingsDelta(ea.findings ?? [], eb.findings ?? []);
  }
  return deltas;
}

export function numberDelta(a: number | null, b: number | null): NumberDelta {
  return { a, b, delta: a === null || b === null ? null : roundTiny(b - a) };
}

// Cost sums in floating point (0.1 + 0.2); twelve decimals keep the delta readable and exact enough.
function roundTiny(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/** Which patterns appeared and disappeared between two lists of findings. */
export function findingsDelta(a: readonly { pattern: string }[], b: readonly { pattern: string }[]): FindingsDelta {
  const countA = countPatterns(a);
  const countB = countPatterns(b);
  const patterns = [...new Set([...countA.keys(), ...countB.keys()])].sort();
  return {
    appeared: patterns.filter((p) => !countA.has(p)),
    disappeared: patterns.filter((p) => !countB.has(p)),
    counts: patterns.map((pattern) => ({ pattern, a: countA.get(pattern) ?? 0, b: countB.get(pattern) ?? 0 })),
  };
}

function countPatterns(findings: readonly { pattern: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.pattern, (counts.get(finding.pattern) ?? 0) + 1);
  return counts;
}

/** Without `duration_ms`, the time from the trace start to its last event (events are in agent order). */
function clockDuration(trace: Trace): number | null {
  const last = trace.events[trace.events.length - 1];
  if (!last) return null;
  const start = Date.parse(trace.timestamp);
  const end = Date.parse(last.timestamp);
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}

interface TraceFigures {
  duration: number | null;
  tokens: number | null;
  cost: number | null;
  model: string | null;
  toolCalls: number;
  toolErrors: number;
}

function traceFigures(trace: Trace): TraceFigures {
  let metadataTokens: number | null = null;
  let responseTokens: number | null = null;
  let cost: number | null = null;
  let model: string | null = null;
  let toolCalls = 0;
  let toolErrors = 0;
  for (const event of trace.events) {
    switch (event.type) {
      case 'tool_call':
        toolCalls++;
        break;
      case 'tool_error':
        toolErrors++;
        break;
      case 'agent_response':
        if (event.data.tokens_used !== undefined) responseTokens = (responseTokens ?? 0) + event.data.tokens_used;
        break;
      case 'metadata': {
        const tokens = event.data.tokens;
        const total =
          tokens?.total ??
          (tokens?.input !== undefined || tokens?.output !== undefined ? (tokens.input ?? 0) + (tokens.output ?? 0) : undefined);
        if (total !== undefined) metadataTokens = (metadataTokens ?? 0) + total;
        if (event.data.cost_usd !== undefined) cost = (cost ?? 0) + event.data.cost_usd;
        if (event.data.model !== undefined && model === null) model = event.data.model;
        break;
      }
      default:
        break;
    }
  }
  if (cost === null && typeof trace.metadata?.cost_usd === 'number') cost = trace.metadata.cost_usd;
  if (model === null && typeof trace.metadata?.model === 'string') model = trace.metadata.model;
  const duration = trace.duration_ms ?? clockDuration(trace);
  return {
    duration,
    // Sync results carry the same count on the response and in metadata; metadata wins, never both.
    tokens: metadataTokens ?? responseTokens,
    cost,
    model,
    toolCalls,
    toolErrors,
  };
}
