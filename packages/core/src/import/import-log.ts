import { StepwiseError } from '../errors.js';
import type { Trace } from '../trace/schema.js';
import { importAnthropicMessages } from './anthropic-messages.js';
import { importLangChain } from './langchain.js';
import { addMessages } from './openai-messages.js';
import { importOpenAIResponses } from './openai-responses.js';
import { importSweAgent } from './swe-agent.js';
import { importToolBench } from './toolbench.js';
import { isRecord, TraceBuilder, type ImportOptions, type ImportWarning } from './trace-builder.js';
import { importVercelAi } from './vercel-ai.js';

export const IMPORT_FORMATS = [
  'openai-messages',
  'openai-responses',
  'anthropic-messages',
  'vercel-ai',
  'langchain',
  'toolbench',
  'swe-agent',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportedLog {
  trace: Trace;
  format: ImportFormat;
  /** Items that could not be mapped, by JSON path; also stored in the trace's `metadata.import_warnings`. */
  warnings: ImportWarning[];
}

/**
 * Imports an agent log in any supported format (`auto` detects it) and refuses a log that maps to
 * no tool call and no response: storing it would be an empty, passing trace that tells nothing.
 *
 * @example
 * const { trace, format, warnings } = importLog(JSON.parse(text), 'auto', { scenario_id: 's', agent_name: 'a', timestamp });
 */
export function importLog(log: unknown, format: ImportFormat | 'auto', opts: ImportOptions): ImportedLog {
  const chosen = format === 'auto' ? detectFormat(log) : format;
  if (chosen === null) {
    throw new StepwiseError('invalid_request', `could not tell the log's format; pass --format (one of ${IMPORT_FORMATS.join(', ')})`, {
      issues: [
        {
          path: '$',
          message:
            'no known log shape: expected a message array, { messages }, Responses API items, { steps }, a ToolBench or SWE-agent file',
        },
      ],
    });
  }
  const { trace, warnings } = run(chosen, log, opts);
  const acts = trace.events.filter(
    (e) => e.type === 'tool_call' || e.type === 'tool_error' || (e.type === 'agent_response' && String(e.data.message ?? '').trim() !== ''),
  );
  if (acts.length === 0) {
    throw new StepwiseError('validation_failed', `the log maps to no tool call and no response as ${chosen}; nothing was imported`, {
      issues: [
        {
          path: '$',
          message: `read as ${chosen}: ${trace.events.length} events, none a tool call or a non-empty response; check --format`,
        },
        ...warnings.slice(0, 20),
      ],
    });
  }
  if (warnings.length > 0) trace.metadata = { ...trace.metadata, import_warnings: warnings.slice(0, 100) };
  return { trace, format: chosen, warnings };
}

function run(format: ImportFormat, log: unknown, opts: ImportOptions): { trace: Trace; warnings: ImportWarning[] } {
  switch (format) {
    case 'openai-responses':
      return withWarnings(importOpenAIResponses(log, opts));
    case 'anthropic-messages':
      return withWarnings(importAnthropicMessages(log, opts));
    case 'vercel-ai':
      return withWarnings(importVercelAi(log, opts));
    case 'langchain':
      return withWarnings(importLangChain(log, opts));
    case 'toolbench':
      return { trace: importToolBench(log, opts), warnings: [] };
    case 'swe-agent':
      return { trace: importSweAgent(log, opts), warnings: [] };
    case 'openai-messages': {
      const builder = new TraceBuilder();
      const messages = Array.isArray(log) ? log : isRecord(log) && Array.isArray(log.messages) ? log.messages : null;
      if (messages === null) {
        throw new StepwiseError('invalid_request', 'not an OpenAI chat log: expected a message array or { messages: [...] }');
      }
      addMessages(builder, messages, {}, Array.isArray(log) ? '' : 'messages');
      return { trace: builder.build(opts, { import_format: 'openai_messages' }), warnings: builder.warnings };
    }
  }
}

function withWarnings(result: { trace: Trace; builder: TraceBuilder }): { trace: Trace; warnings: ImportWarning[] } {
  return { trace: result.trace, warnings: result.builder.warnings };
}

const RESPONSES_TYPES = new Set([
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'mcp_call',
  'web_search_call',
  'file_search_call',
  'computer_call',
  'custom_tool_call',
]);
const LANGCHAIN_TYPES = new Set([
  'human',
  'ai',
  'tool',
  'system',
  'HumanMessage',
  'AIMessage',
  'ToolMessage',
  'SystemMessage',
  'AIMessageChunk',
]);

/** Which importer fits a log, by its shape; null when none does. */
export function detectFormat(log: unknown): ImportFormat | null {
  if (isRecord(log)) {
    if (isRecord(log.answer_generation)) return 'toolbench';
    if (Array.isArray(log.history)) return 'swe-agent';
    if (Array.isArray(log.steps)) return 'vercel-ai';
    if (isRecord(log.response) && Array.isArray(log.response.messages)) return 'vercel-ai';
    if (log.object === 'response' || (Array.isArray(log.output) && !Array.isArray(log.messages))) return 'openai-responses';
    if (Array.isArray(log.input) && log.input.some((i) => isRecord(i) && typeof i.type === 'string' && RESPONSES_TYPES.has(i.type))) {
      return 'openai-responses';
    }
  }
  const items = Array.isArray(log) ? log : isRecord(log) && Array.isArray(log.messages) ? log.messages : null;
  if (items === null) return null;
  const records = items.filter(isRecord);
  if (records.length === 0) return null;
  if (records.some((m) => m.lc === 1 || (typeof m.type === 'string' && LANGCHAIN_TYPES.has(m.type) && m.role === undefined)))
    return 'langchain';
  if (records.some((m) => typeof m.type === 'string' && RESPONSES_TYPES.has(m.type) && m.type !== 'message')) return 'openai-responses';
  if (
    records.some(
      (m) =>
        m.type === 'message' &&
        Array.isArray(m.content) &&
        m.content.some((p) => isRecord(p) && /^(input|output)_text$/.test(String(p.type))),
    )
  ) {
    return 'openai-responses';
  }
  const parts = records.flatMap((m) => (Array.isArray(m.content) ? m.content.filter(isRecord) : []));
  if (parts.some((p) => p.type === 'tool-call' || p.type === 'tool-result')) return 'vercel-ai';
  if (parts.some((p) => p.type === 'tool_use' || p.type === 'tool_result' || p.type === 'thinking')) return 'anthropic-messages';
  if (
    isRecord(log) &&
    (typeof log.system === 'string' || Array.isArray(log.system)) &&
    typeof log.model === 'string' &&
    /claude/i.test(log.model)
  ) {
    return 'anthropic-messages';
  }
  if (records.some((m) => typeof m.role === 'string')) return 'openai-messages';
  return null;
}
