import { z } from 'zod';
import { Expectations } from '../analysis/expectations-schema.js';

/** ISO-8601 date-time with a `Z` or an explicit offset, e.g. `2026-03-13T14:30:00.450Z`. */
export const IsoTimestamp = z.iso.datetime({ offset: true });

/**
 * Longest accepted duration: 10^12 ms, about 31.7 years. Durations are added to timestamps, and a
 * JavaScript date ends at 8.64e15 ms, so an unbounded one (1e20, 1e308) could not become a time.
 */
export const MAX_DURATION_MS = 1e12;

/** A duration in milliseconds: not negative, at most MAX_DURATION_MS. */
export const DurationMs = z.number().nonnegative().max(MAX_DURATION_MS, `must be at most ${MAX_DURATION_MS} ms (about 31 years)`);

/** Ids travel in URLs, so they stay URL-safe. */
export const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must be letters, digits, and _ . : - (starting with a letter or digit)');

/** An unpaired UTF-16 surrogate: text that has no UTF-8 form, so a database would store U+FFFD instead. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` is well-formed UTF-16 (no lone surrogate), so it survives a UTF-8 column exactly. */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * Names kept in plain text columns and compared later (scenario_id, agent_name, run names). A lone
 * surrogate is refused with its path: stored, it would become U+FFFD and never equal itself again.
 */
const Label = z.string().min(1).max(500).refine(isWellFormedText, 'must not contain a lone surrogate (an unpaired \\uD800–\\uDFFF escape)');
const JsonObject = z.record(z.string(), z.unknown());

export const TokenCounts = z.looseObject({
  input: z.number().nonnegative().optional(),
  output: z.number().nonnegative().optional(),
  total: z.number().nonnegative().optional(),
});
export type TokenCounts = z.infer<typeof TokenCounts>;

export const UserInputData = z.looseObject({ message: z.string() });
export const AgentReasoningData = z.looseObject({ text: z.string() });
export const ToolCallData = z.looseObject({
  tool: z.string().min(1),
  parameters: JsonObject,
  result: z.unknown().optional(),
  duration_ms: DurationMs.optional(),
  call_id: z.string().optional(),
});
export const ToolErrorData = z.looseObject({
  tool: z.string().min(1),
  parameters: JsonObject.optional(),
  error_type: z.string(),
  message: z.string(),
  duration_ms: DurationMs.optional(),
  call_id: z.string().optional(),
});
export const AgentResponseData = z.looseObject({
  message: z.string(),
  tokens_used: z.number().nonnegative().optional(),
});
export const MetadataData = z.looseObject({
  model: z.string().optional(),
  tokens: TokenCounts.optional(),
  latency_ms: DurationMs.optional(),
  tools_offered: z.array(z.string()).optional(),
  cost_usd: z.number().nonnegative().optional(),
  /** The instructions or policy the agent was given: facts a response may state without a tool returning them. */
  system_prompt: z.string().optional(),
});
export const CustomData = z.looseObject({ name: z.string().min(1) });

export const EVENT_TYPES = ['user_input', 'agent_reasoning', 'tool_call', 'tool_error', 'agent_response', 'metadata', 'custom'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

function eventOf<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return z.looseObject({
    type: z.literal(type),
    timestamp: IsoTimestamp,
    data,
    id: z.string().min(1).max(200).optional(),
    parent_id: z.string().min(1).max(200).optional(),
  });
}

export const UserInputEvent = eventOf('user_input', UserInputData);
export const AgentReasoningEvent = eventOf('agent_reasoning', AgentReasoningData);
export const ToolCallEvent = eventOf('tool_call', ToolCallData);
export const ToolErrorEvent = eventOf('tool_error', ToolErrorData);
export const AgentResponseEvent = eventOf('agent_response', AgentResponseData);
export const MetadataEvent = eventOf('metadata', MetadataData);
export const CustomEvent = eventOf('custom', CustomData);

/** One timestamped step of a trace. Unknown types are rejected; user-defined events use `custom`. */
export const TraceEvent = z.discriminatedUnion('type', [
  UserInputEvent,
  AgentReasoningEvent,
  ToolCallEvent,
  ToolErrorEvent,
  AgentResponseEvent,
  MetadataEvent,
  CustomEvent,
]);
export type TraceEvent = z.infer<typeof TraceEvent>;
export type UserInputEvent = z.infer<typeof UserInputEvent>;
export type ToolCallEvent = z.infer<typeof ToolCallEvent>;
export type ToolErrorEvent = z.infer<typeof ToolErrorEvent>;
export type AgentResponseEvent = z.infer<typeof AgentResponseEvent>;
export type MetadataEvent = z.infer<typeof MetadataEvent>;
export type CustomEvent = z.infer<typeof CustomEvent>;
export type AgentReasoningEvent = z.infer<typeof AgentReasoningEvent>;

/** A full trace, as in the product brief. */
export const Trace = z.looseObject({
  trace_id: Id.optional(),
  scenario_id: Label,
  agent_name: Label,
  timestamp: IsoTimestamp,
  duration_ms: DurationMs.optional(),
  run_id: Id.optional(),
  events: z.array(TraceEvent),
  metadata: JsonObject.optional(),
});
export type Trace = z.infer<typeof Trace>;

/** A trace embedded in a synced result: scenario and agent default to the result's. */
export const EmbeddedTrace = Trace.extend({
  scenario_id: Label.optional(),
  agent_name: Label.optional(),
});
export type EmbeddedTrace = z.infer<typeof EmbeddedTrace>;

export const ToolCalled = z.looseObject({
  name: z.string().min(1),
  parameters: JsonObject.optional(),
  result: z.unknown().optional(),
  error: z
    .looseObject({
      type: z.string().optional(),
      message: z.string(),
    })
    .optional(),
  duration_ms: DurationMs.optional(),
  timestamp: IsoTimestamp.optional(),
});
export type ToolCalled = z.infer<typeof ToolCalled>;

/** One test case's result, as sent to `invarium_sync_results`. */
export const ResultItem = z.looseObject({
  scenario_id: Label,
  user_message: z.string(),
  agent_response: z.string(),
  tools_called: z.array(ToolCalled).optional(),
  passed: z.boolean().optional(),
  notes: z.string().optional(),
  trace_id: Id.optional(),
  trace: EmbeddedTrace.optional(),
  expected: Expectations.optional(),
  timestamp: IsoTimestamp.optional(),
  duration_ms: DurationMs.optional(),
  model: z.string().optional(),
  tokens: z.union([z.number().nonnegative(), TokenCounts]).optional(),
  cost_usd: z.number().nonnegative().optional(),
  metadata: JsonObject.optional(),
});
export type ResultItem = z.infer<typeof ResultItem>;

export const SYNC_SOURCES = ['mcp', 'ci', 'vscode', 'cli', 'api'] as const;
export const SyncSource = z.enum(SYNC_SOURCES);
export type SyncSource = z.infer<typeof SyncSource>;

/**
 * The envelope of a sync. `results` items are validated one by one (see `validateResultItem`), so a
 * bad item is rejected alone; this schema is what the published JSON Schema shows.
 */
export const SyncRequest = z.looseObject({
  agent_name: Label,
  results: z.union([z.array(ResultItem), z.string()]),
  test_run_id: Id.optional(),
  name: z.string().max(500).refine(isWellFormedText, 'must not contain a lone surrogate (an unpaired \\uD800–\\uDFFF escape)').optional(),
  source: SyncSource.optional(),
  create_empty: z.boolean().optional(),
  /** The branch the run was made on (e.g. `main`): lets CI compare with "the last run on main". */
  branch: z.string().min(1).max(200).optional(),
  /** The commit the run was made at. */
  commit: z.string().min(1).max(100).optional(),
  /** A link to the CI job that made the run. */
  ci_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
export type SyncRequest = z.infer<typeof SyncRequest>;

/** The envelope with `results` not yet validated item by item. */
export const SyncEnvelope = SyncRequest.extend({
  results: z.union([z.array(z.unknown()), z.string()]),
});
export type SyncEnvelope = z.infer<typeof SyncEnvelope>;

export const Rejection = z.object({
  index: z.number().int(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type Rejection = z.infer<typeof Rejection>;

export const SyncWarning = z.object({
  index: z.number().int(),
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type SyncWarning = z.infer<typeof SyncWarning>;

export const SyncReply = z.object({
  test_run_id: z.string(),
  agent_name: z.string(),
  synced: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(Rejection),
  warnings: z.array(SyncWarning),
  trace_ids: z.array(z.string()),
  dashboard_url: z.string(),
});
export type SyncReply = z.infer<typeof SyncReply>;
