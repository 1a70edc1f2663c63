// The public surface of @stepwise/core. Every export is named on purpose: adding one is a decision.

export { StepwiseError } from './errors.js';
export type { StepwiseErrorCode, ValidationIssue } from './errors.js';

export {
  AgentResponseEvent,
  CustomEvent,
  EVENT_TYPES,
  EmbeddedTrace,
  Id,
  IsoTimestamp,
  MetadataEvent,
  Rejection,
  ResultItem,
  SYNC_SOURCES,
  SyncEnvelope,
  SyncReply,
  SyncRequest,
  SyncSource,
  SyncWarning,
  TokenCounts,
  ToolCallEvent,
  ToolCalled,
  ToolErrorEvent,
  Trace,
  TraceEvent,
  UserInputEvent,
} from './trace/schema.js';
export type { AgentReasoningEvent, EventType } from './trace/schema.js';
export { validate } from './trace/validate.js';
export type { Validated } from './trace/validate.js';
export { checkEventOrder, jsonEqual, normalizeResult } from './trace/normalize.js';
export type { NormalizeContext, Normalized, NormalizedResult } from './trace/normalize.js';
export { elapsedTimes, formatElapsed, toolPath } from './trace/timeline.js';
export { formatJsonPath, joinJsonPath } from './trace/json-path.js';
export { traceFormatJsonSchema } from './trace/json-schema.js';

export { Expectations, ExpectedTool, OrderMode, ParameterMatchMode } from './analysis/expectations-schema.js';

// privacy (issue 4)

// analysis (issue 5)

// compare (issue 6)
