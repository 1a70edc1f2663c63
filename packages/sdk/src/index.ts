// The public surface of @stepwise/sdk. Every export is named on purpose: adding one is a decision.

export { TraceBuilder, newTraceId, startTrace } from './trace-builder.js';
export type { ResultOptions, ToolCallOptions, ToolErrorOptions, ToolOutcome, TraceOptions } from './trace-builder.js';
export { StepwiseClient, StepwiseSyncError } from './sync-client.js';
export type { StepwiseClientOptions } from './sync-client.js';
export { wrapOpenAI } from './wrappers/openai.js';
export { wrapAnthropic } from './wrappers/anthropic.js';
export type { TraceTarget, WrapOptions } from './wrappers/observe.js';
