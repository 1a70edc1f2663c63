import type { Trace } from '../trace/schema.js';
import { describeCall, listWords, quoteValue } from './describe.js';
import { toolsBetween, type DetectorContext, type ToolStep } from './detector-context.js';
import { admitsNotKnowing, extractSpecifics, SourceIndex, type Specific } from './response-text.js';
import type { DetectorDescriptor } from './detector.js';
import type { Finding } from './types.js';

/**
 * Hallucination: a tool returned nothing useful (empty, "not found", or an error) and the response
 * that follows states specifics — numbers, ids, names, policy terms like "14 days" — that no user
 * input and no tool result contains, without saying it could not find the information.
 *
 * @example detectHallucination(trace, buildDetectorContext(trace))
 */
export function detectHallucination(trace: Trace, ctx: DetectorContext): Finding[] {
  const candidates: { index: number; unhelpful: ToolStep[]; specifics: Specific[] }[] = [];
  let previousResponse = -1;
  for (const response of ctx.responses) {
    const window = toolsBetween(ctx, previousResponse, response.index);
    previousResponse = response.index;
    const unhelpful = window.filter((t) => t.outcome.kind !== 'data');
    if (unhelpful.length === 0 || admitsNotKnowing(response.text)) continue;
    const specifics = extractSpecifics(response.text);
    if (specifics.length > 0) candidates.push({ index: response.index, unhelpful, specifics });
  }
  if (candidates.length === 0) return [];

  // One pass over the sources, recording only the tokens the candidate responses state.
  const sources = new SourceIndex(candidates.flatMap((c) => c.specifics));
  for (const input of ctx.userInputs) sources.addText(input.text, input.index);
  for (const step of ctx.tools) {
    if (step.hasResult) sources.addValue(step.result, step.index);
    if (step.errorText !== undefined) sources.addText(step.errorText, step.index);
  }

  const findings: Finding[] = [];
  for (const { index, unhelpful, specifics } of candidates) {
    const unsupported = specifics.filter((s) => !sources.supports(s, index));
    if (!assertsSpecifics(unsupported)) continue;
    const first = unhelpful[0]!;
    const claims = listWords(unsupported.slice(0, 3).map((s) => quoteValue(s.text)));
    const others = unhelpful.length > 1 ? ` (and ${unhelpful.length - 1} more calls returned nothing useful)` : '';
    findings.push({
      pattern: 'hallucination',
      category: 'knowledge_failure',
      severity: 'high',
      basis: 'evidence',
      event_indexes: [...unhelpful.map((t) => t.index), index],
      summary: `Called ${describeCall(first.tool, first.parameters)}, ${first.outcome.description}${others}, then answered with ${claims} that no tool returned.`,
    });
  }
  return findings;
}

// Names alone are weak evidence (a brand the model knows); numbers, ids, emails and URLs are not.
function assertsSpecifics(unsupported: Specific[]): boolean {
  const strong = unsupported.filter((s) => s.kind !== 'name').length;
  return strong > 0 || unsupported.length >= 2;
}

export const hallucinationDetector: DetectorDescriptor = {
  pattern: 'hallucination',
  category: 'knowledge_failure',
  basis: 'evidence',
  severity: 'high for numbers, ids, emails and URLs; a hint for names alone',
  what: 'a lookup returned nothing useful (empty, "not found", or failed) and the next response states specifics that no user input, system prompt or earlier tool result contains, without admitting in that sentence it could not find them',
  detect: detectHallucination,
};
