import type { Trace } from '../trace/schema.js';
import { quoteValue } from './describe.js';
import type { Expectations } from './expectations-schema.js';
import { classifyResult, type ResultOutcome } from './result-outcome.js';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type Check, type ResolvedAnalysisOptions } from './types.js';

/** A tool call or tool error of the trace, with its result already classified. */
export interface ToolStep {
  /** Index into `trace.events`. */
  index: number;
  tool: string;
  parameters: Record<string, unknown>;
  /** `error` for tool_error events and for results that carry an error; `empty` for nothing useful. */
  outcome: ResultOutcome;
  /** The tool_error's message, or the error text found in the result. */
  errorText?: string;
  errorType?: string;
  hasResult: boolean;
  result?: unknown;
}

/** What every detector reads: the trace pre-digested once, plus expectations, checks and options. */
export interface DetectorContext {
  tools: ToolStep[];
  /** Indexes of agent_response events with their message. */
  responses: { index: number; text: string }[];
  userInputs: { index: number; text: string }[];
  /** `system_prompt` of metadata events: the policy the agent was given, a source like user input. */
  systemPrompts: { index: number; text: string }[];
  /** From metadata events or `trace.metadata.tools_offered`. */
  toolsOffered?: string[];
  expectations?: Expectations;
  /** Failed expectation checks (from `checkExpectations`). */
  checks: Check[];
  options: ResolvedAnalysisOptions;
}

/**
 * Builds the shared view detectors work from. `evaluateTrace` builds it once; tests and callers
 * that run one detector build it themselves.
 *
 * @example detectLoops(trace, buildDetectorContext(trace))
 */
export function buildDetectorContext(
  trace: Trace,
  input: { expectations?: Expectations; checks?: Check[]; options?: AnalysisOptions } = {},
): DetectorContext {
  const tools: ToolStep[] = [];
  const responses: { index: number; text: string }[] = [];
  const userInputs: { index: number; text: string }[] = [];
  const systemPrompts: { index: number; text: string }[] = [];
  let toolsOffered: string[] | undefined = stringArray(trace.metadata?.tools_offered);
  trace.events.forEach((event, index) => {
    switch (event.type) {
      case 'tool_call': {
        const hasResult = Object.hasOwn(event.data, 'result');
        const outcome: ResultOutcome = hasResult
          ? classifyResult(event.data.result)
          : { kind: 'data', description: 'got no recorded result' };
        const step: ToolStep = {
          index,
          tool: event.data.tool,
          parameters: event.data.parameters,
          outcome,
          hasResult,
          result: event.data.result,
        };
        if (outcome.kind === 'error') step.errorText = outcome.text;
        tools.push(step);
        break;
      }
      case 'tool_error':
        tools.push({
          index,
          tool: event.data.tool,
          parameters: event.data.parameters ?? {},
          outcome: { kind: 'error', description: `failed with ${quoteValue(event.data.message)}`, text: event.data.message },
          errorText: event.data.message,
          errorType: event.data.error_type,
          hasResult: false,
        });
        break;
      case 'agent_response':
        responses.push({ index, text: event.data.message });
        break;
      case 'user_input':
        userInputs.push({ index, text: event.data.message });
        break;
      case 'metadata':
        if (event.data.tools_offered) toolsOffered = event.data.tools_offered;
        if (typeof event.data.system_prompt === 'string') systemPrompts.push({ index, text: event.data.system_prompt });
        break;
      default:
        break;
    }
  });
  const ctx: DetectorContext = {
    tools,
    responses,
    userInputs,
    systemPrompts,
    checks: input.checks ?? [],
    options: { ...DEFAULT_ANALYSIS_OPTIONS, ...definedOnly(input.options ?? {}) },
  };
  if (toolsOffered !== undefined) ctx.toolsOffered = toolsOffered;
  if (input.expectations !== undefined) ctx.expectations = input.expectations;
  return ctx;
}

/** Tool steps strictly between two event indexes. Tools are in event order, so this is a slice. */
export function toolsBetween(ctx: DetectorContext, after: number, before: number): ToolStep[] {
  return ctx.tools.slice(firstToolAfter(ctx.tools, after), firstToolAfter(ctx.tools, before - 1));
}

/** Position in `tools` of the first step whose event index is greater than `index` (binary search). */
export function firstToolAfter(tools: readonly ToolStep[], index: number): number {
  let lo = 0;
  let hi = tools.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tools[mid]!.index > index) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

function definedOnly(options: AnalysisOptions): Partial<ResolvedAnalysisOptions> {
  const out: Partial<ResolvedAnalysisOptions> = {};
  if (options.loopMinRepeats !== undefined) out.loopMinRepeats = Math.max(2, Math.floor(options.loopMinRepeats));
  if (options.alternationMinCycles !== undefined) out.alternationMinCycles = Math.max(2, Math.floor(options.alternationMinCycles));
  return out;
}
