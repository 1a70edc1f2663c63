import type { Trace } from '../trace/schema.js';
import { listWords, quoteValue } from './describe.js';
import type { DetectorContext } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import { extractSpecifics, SourceIndex } from './response-text.js';
import type { Finding } from './types.js';

/**
 * Missing tool call: the agent answered without calling any tool although the expectations require
 * tools, or — without expectations — although tools were offered (`metadata.tools_offered`) and the
 * answer states specifics the user did not give.
 */
export function detectMissingToolCall(trace: Trace, ctx: DetectorContext): Finding[] {
  if (ctx.tools.length > 0 || ctx.responses.length === 0) return [];
  const response = ctx.responses[ctx.responses.length - 1]!;
  const expected = (ctx.expectations?.tools ?? []).map((t) => (typeof t === 'string' ? t : t.name));
  if (expected.length > 0) {
    return [
      {
        pattern: 'missing_tool_call',
        category: 'tool_usage_failure',
        severity: 'high',
        basis: 'expectation',
        event_indexes: [response.index],
        summary: `Answered without calling any tool, although ${listWords([...new Set(expected)])} ${expected.length === 1 ? 'was' : 'were'} expected.`,
      },
    ];
  }
  const offered = ctx.toolsOffered ?? [];
  if (offered.length === 0 || ctx.expectations?.tools !== undefined) return [];
  const specifics = extractSpecifics(response.text);
  const sources = new SourceIndex(specifics);
  for (const input of ctx.userInputs) sources.addText(input.text, input.index);
  const unsupported = specifics.filter((s) => !sources.supports(s, response.index));
  if (unsupported.length === 0) return [];
  const shown = offered.length > 3 ? `${offered.slice(0, 3).join(', ')} and ${offered.length - 3} more` : listWords(offered);
  return [
    {
      pattern: 'missing_tool_call',
      category: 'tool_usage_failure',
      severity: 'medium',
      basis: 'heuristic',
      event_indexes: [response.index],
      summary: `Answered with ${listWords(unsupported.slice(0, 2).map((s) => quoteValue(s.text)))} without calling any of the offered tools (${shown}).`,
    },
  ];
}

export const missingToolCallDetector: DetectorDescriptor = {
  pattern: 'missing_tool_call',
  category: 'tool_usage_failure',
  basis: 'expectation',
  severity: 'high with expectations; a hint without',
  what: 'answered without any tool call although tools were expected (or offered, and the answer states specifics the user did not give)',
  detect: detectMissingToolCall,
};
