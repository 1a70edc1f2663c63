export { importOpenAIMessages } from './openai-messages.js';
export { importToolBench } from './toolbench.js';
export { importSweAgent } from './swe-agent.js';
export type { ImportOptions } from './trace-builder.js';
export { mapOtlpTrace, readOtlpTraces, stepwiseTraceIdOf } from './otlp.js';
export type { OtlpRead, OtlpResult, OtlpSpan, OtlpTraceMapping } from './otlp.js';
