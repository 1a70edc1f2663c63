export { importOpenAIMessages } from './openai-messages.js';
export { importToolBench } from './toolbench.js';
export { importSweAgent } from './swe-agent.js';
export type { ImportOptions } from './trace-builder.js';
