// @stepwise/sdk/vitest: the reporter (runs in vitest's main process) and the helpers tests use to
// attach a trace (run in the workers; they talk to the reporter through the test's task meta).

export { StepwiseReporter, StepwiseReporter as default, resultOf } from './reporter.js';
export type { StepwiseReporterOptions } from './reporter.js';
export { recordTrace, stepwise } from './attach.js';
export type { AttachedTrace, TestContextLike } from './attach.js';
