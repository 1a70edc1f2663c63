import type { Trace } from '../trace/schema.js';
import { describeCall, listWords, quoteValue } from './describe.js';
import { toolsBetween, type DetectorContext, type ToolStep } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import { admitsNotKnowing, extractSpecifics, sentences, SourceIndex, type Specific } from './response-text.js';
import type { Finding } from './types.js';

/**
 * Hallucination: a lookup returned nothing useful (empty, "not found", or an error) and the response
 * that follows states specifics — numbers, ids, dates, names, policy terms like "14 days" — that no
 * user input, system prompt or earlier tool result contains. Not counted: sentences that admit not
 * finding something, Markdown labels and headings, dates written another way (`May 19` for
 * `2024-05-19`), and simple arithmetic (sum, difference, product of two numbers) over numbers the
 * agent itself cites in the same response or in its earlier call parameters. A call whose only
 * parameter is a free-text sentence and whose result is empty is the agent thinking (a scratchpad
 * tool), not a failed lookup. Numbers, ids, dates, emails and URLs are evidence; names alone are a
 * heuristic hint.
 *
 * @example detectHallucination(trace, buildDetectorContext(trace))
 */
export function detectHallucination(trace: Trace, ctx: DetectorContext): Finding[] {
  const candidates: { index: number; text: string; unhelpful: ToolStep[]; specifics: Specific[] }[] = [];
  let previousResponse = -1;
  for (const response of ctx.responses) {
    const window = toolsBetween(ctx, previousResponse, response.index);
    previousResponse = response.index;
    const unhelpful = window.filter((t, k) => t.outcome.kind !== 'data' && !isNoteToSelf(t) && !answeredLater(t, window.slice(k + 1)));
    if (unhelpful.length === 0) continue;
    const specifics = claimedSpecifics(response.text);
    if (specifics.length > 0) candidates.push({ index: response.index, text: response.text, unhelpful, specifics });
  }
  if (candidates.length === 0) return [];

  // One pass over the sources, recording only the tokens the candidate responses state.
  const sources = new SourceIndex(candidates.flatMap((c) => c.specifics));
  for (const prompt of ctx.systemPrompts) sources.addText(prompt.text, prompt.index);
  for (const input of ctx.userInputs) sources.addText(input.text, input.index);
  for (const step of ctx.tools) {
    if (step.hasResult) sources.addValue(step.result, step.index);
    if (step.errorText !== undefined) sources.addText(step.errorText, step.index);
  }

  const findings: Finding[] = [];
  for (const { index, text, unhelpful, specifics } of candidates) {
    const operands = citedNumbers(ctx, text, index);
    const unsupported = specifics.filter((s) => !sources.supports(s, index) && !(s.kind === 'number' && isArithmetic(s.text, operands)));
    if (!assertsSpecifics(unsupported)) continue;
    const first = unhelpful[0]!;
    const claims = listWords(unsupported.slice(0, 3).map((s) => quoteValue(s.text)));
    const others = unhelpful.length > 1 ? ` (and ${unhelpful.length - 1} more calls returned nothing useful)` : '';
    const strong = unsupported.some(isStrong);
    findings.push({
      pattern: 'hallucination',
      category: 'knowledge_failure',
      severity: strong ? 'high' : 'medium',
      basis: strong ? 'evidence' : 'heuristic',
      event_indexes: [...unhelpful.map((t) => t.index), index],
      summary: `Called ${describeCall(first.tool, first.parameters)}, ${first.outcome.description}${others}, then answered with ${claims} that no tool returned.`,
    });
  }
  return findings;
}

/** The specifics of the sentences that do not admit not finding something. */
function claimedSpecifics(text: string): Specific[] {
  const out: Specific[] = [];
  const seen = new Set<string>();
  for (const sentence of sentences(text)) {
    if (admitsNotKnowing(sentence)) continue;
    for (const s of extractSpecifics(sentence)) {
      const key = `${s.kind}:${s.text.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s);
    }
  }
  return out;
}

/**
 * A scratchpad call: its only parameter is a free-text sentence and it returns nothing by design
 * (a "think" or "note" tool). Its empty result is not a failed lookup.
 */
export function isNoteToSelf(step: ToolStep): boolean {
  const values = Object.values(step.parameters);
  if (values.length !== 1 || typeof values[0] !== 'string') return false;
  if (values[0].trim().split(/\s+/).length < 6) return false;
  return (
    !step.hasResult || step.result === null || step.result === undefined || (typeof step.result === 'string' && step.result.trim() === '')
  );
}

const NUMERAL_RE = /\d+(?:,\d{3})*(?:\.\d+)?/g;

function numbersIn(text: string): number[] {
  return (text.match(NUMERAL_RE) ?? []).map((n) => Number(n.replace(/,/g, ''))).filter((n) => Number.isFinite(n));
}

// The numbers the agent itself cites: in this and its earlier responses, and in its earlier call parameters.
function citedNumbers(ctx: DetectorContext, text: string, before: number): number[] {
  const out = new Set(numbersIn(text));
  for (const step of ctx.tools) {
    if (step.index >= before) break;
    for (const n of numbersIn(JSON.stringify(step.parameters))) out.add(n);
  }
  for (const response of ctx.responses) {
    if (response.index >= before) break;
    for (const n of numbersIn(response.text)) out.add(n);
  }
  return [...out];
}

/**
 * Whether a later call before the response answered what this one did not: the same tool, or a
 * sibling sharing two words of its name (`search_direct_flight` then `search_onestop_flight`).
 */
function answeredLater(step: ToolStep, later: readonly ToolStep[]): boolean {
  const words = new Set(nameWords(step.tool));
  return later.some((t) => {
    if (t.outcome.kind !== 'data') return false;
    if (t.tool === step.tool) return true;
    return nameWords(t.tool).filter((w) => words.has(w)).length >= 2;
  });
}

/** The words of a tool name: `search_direct_flight`, `searchDirectFlight` → search, direct, flight. */
export function nameWords(tool: string): string[] {
  return tool
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

// A number that is the sum, difference or product of two cited numbers was computed, not invented.
function isArithmetic(text: string, operands: readonly number[]): boolean {
  const value = numbersIn(text)[0];
  if (value === undefined) return false;
  const near = (x: number): boolean => Math.abs(x - value) < 0.005;
  for (let i = 0; i < operands.length; i++) {
    const a = operands[i]!;
    if (near(a)) continue;
    for (let j = i + 1; j < operands.length; j++) {
      const b = operands[j]!;
      if (near(b)) continue;
      if (near(a + b) || near(Math.abs(a - b)) || near(a * b)) return true;
    }
  }
  return false;
}

// Names and dates alone are weak evidence (a brand the model knows, a next-day arrival it worked
// out); numbers, ids, emails and URLs are not.
function isStrong(specific: Specific): boolean {
  return specific.kind !== 'name' && specific.kind !== 'date';
}

function assertsSpecifics(unsupported: Specific[]): boolean {
  return unsupported.some(isStrong) || unsupported.length >= 2;
}

export const hallucinationDetector: DetectorDescriptor = {
  pattern: 'hallucination',
  category: 'knowledge_failure',
  basis: 'evidence',
  severity: 'high for numbers, ids, emails and URLs; a hint for names and dates alone',
  what: 'a lookup returned nothing useful (empty, "not found", or failed) and the next response states specifics that no user input, system prompt or earlier tool result contains, outside sentences that admit not finding them; a lookup a later sibling call answered, computed sums and differences of numbers the agent cites, last digits of a known number ("ending in 1234"), Markdown labels, reformatted dates and scratchpad calls do not count',
  detect: detectHallucination,
};
