import { TraceBuilder, type ResultOptions, type TraceOptions } from '../trace-builder.js';
import type { EmbeddedTrace } from '@stepwise/core';

/** The part of vitest's test context this module uses (`test('…', (context) => …)`). */
export interface TestContextLike {
  task: { name: string; meta: object };
  onTestFinished(fn: () => void): void;
}

/** What a test leaves in its task meta for the reporter (plain JSON, sent from the worker). */
export interface AttachedTrace {
  trace: EmbeddedTrace;
  /** Set when the test chose its scenario id; otherwise the reporter uses the test's full name. */
  scenarioId?: string;
  expected?: ResultOptions['expected'];
}

export const META_KEY = 'stepwise';

/**
 * Attaches a trace to the running test; the Stepwise reporter syncs it with the test's pass/fail.
 *
 * @example
 * test('refund policy', async (context) => {
 *   const trace = startTrace({ scenarioId: 'refund-policy' });
 *   recordTrace(context, trace);
 * });
 */
export function recordTrace(
  context: TestContextLike,
  trace: TraceBuilder,
  options: { expected?: ResultOptions['expected']; explicitScenario?: boolean } = {},
): TraceBuilder {
  const meta = context.task.meta as Record<string, unknown>;
  const attach = () => {
    const attached: AttachedTrace = { trace: trace.toTrace() };
    if (options.explicitScenario !== false) attached.scenarioId = trace.scenarioId;
    if (options.expected) attached.expected = options.expected;
    meta[META_KEY] = attached;
  };
  attach();
  // The trace keeps growing while the test runs; what it holds when the test ends is what is sent.
  context.onTestFinished(attach);
  return trace;
}

/**
 * Starts a trace for the running test. Its scenario id is the test's full name unless given.
 *
 * @example
 * test('answers the refund question', async (context) => {
 *   const trace = stepwise(context);
 *   const openai = wrapOpenAI(new OpenAI(), { trace });
 * });
 */
export function stepwise(
  context: TestContextLike,
  options: Partial<TraceOptions> & { expected?: ResultOptions['expected'] } = {},
): TraceBuilder {
  const { expected, ...traceOptions } = options;
  const trace = new TraceBuilder({ ...traceOptions, scenarioId: options.scenarioId ?? context.task.name });
  return recordTrace(context, trace, { ...(expected ? { expected } : {}), explicitScenario: options.scenarioId !== undefined });
}
