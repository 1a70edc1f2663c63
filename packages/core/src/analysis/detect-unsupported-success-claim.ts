import type { Trace } from '../trace/schema.js';
import { describeCall, quoteValue } from './describe.js';
import type { DetectorContext, ToolStep } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import { nameWords } from './detect-hallucination.js';
import { actionClaims, sameWord, type ActionClaim } from './response-text.js';
import { changesState } from './tool-kinds.js';
import type { Finding } from './types.js';

/**
 * Unsupported success claim: the response says something was done — booked, refunded, cancelled,
 * sent, updated, added — but no successful state-changing call before it could have done it. A call
 * could have done it when its name fits the action (`cancel_order` for "cancelled"), when it acted on
 * what the claim names (`send_certificate` for "the certificate has been issued", a bag tool for
 * "bags have been added"), or, for money moving ("refunded", "the payment has been processed"), when
 * it took a payment or returned payment lines.
 *
 * @example detectUnsupportedSuccessClaim(trace, buildDetectorContext(trace))
 */
export function detectUnsupportedSuccessClaim(trace: Trace, ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  // What each state-changing call acted on, worked out once the first claim needs it (most traces have none).
  let writes: Write[] | null = null;
  for (const response of ctx.responses) {
    for (const claim of actionClaims(response.text)) {
      writes ??= ctx.tools.filter(changesState).map((step) => ({ step, words: callWords(step), money: movesMoney(step) }));
      const able = writes.filter((w) => w.step.index < response.index && couldDo(claim, w));
      if (able.some((w) => w.step.outcome.kind !== 'error')) continue;
      const failed = able[able.length - 1]?.step;
      const why = failed
        ? `but ${describeCall(failed.tool, failed.parameters)} ${failed.outcome.description.replace(/^got /, 'returned ')}`
        : 'but no tool that could do that was called';
      findings.push({
        pattern: 'unsupported_success_claim',
        category: 'communication_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: failed ? [failed.index, response.index] : [response.index],
        summary: `Said ${quoteValue(claim.text)} ${why}.`,
      });
      break;
    }
  }
  return findings;
}

interface Write {
  step: ToolStep;
  words: string[];
  money: boolean;
}

function couldDo(claim: ActionClaim, write: Write): boolean {
  const name = write.step.tool.toLowerCase();
  if (claim.stems.some((stem) => name.includes(stem))) return true;
  if (claim.objectWords.some((o) => write.words.some((w) => sameWord(o, w)))) return true;
  return claim.money && write.money;
}

// What a call acted on: the words of its name and of its parameter keys and string values.
function callWords(step: ToolStep): string[] {
  const words = new Set(nameWords(step.tool));
  const add = (text: string): void => {
    for (const w of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) words.add(w);
  };
  const walk = (value: unknown, depth: number): void => {
    if (depth > 4) return;
    if (typeof value === 'string') add(value.length <= 200 ? value : '');
    else if (Array.isArray(value)) for (const v of value.slice(0, 50)) walk(v, depth + 1);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        add(k);
        walk(v, depth + 1);
      }
    }
  };
  walk(step.parameters, 0);
  return [...words];
}

const MONEY_KEY = /pay|refund|amount|price|charge|credit|balance|cost|fee|fare/i;

// A call moved money when it took a payment parameter or its result carries payment lines.
function movesMoney(step: ToolStep): boolean {
  if (Object.keys(step.parameters).some((k) => MONEY_KEY.test(k))) return true;
  const result = step.result;
  if (result === null || typeof result !== 'object') return false;
  return Object.keys(result as Record<string, unknown>).some((k) => MONEY_KEY.test(k));
}

export const unsupportedSuccessClaimDetector: DetectorDescriptor = {
  pattern: 'unsupported_success_claim',
  category: 'communication_failure',
  basis: 'evidence',
  severity: 'high',
  what: 'the response reports something as done (booked, refunded, cancelled, sent, updated, added…; not negated, conditional or a description of a record) and no successful state-changing call before it fits the action by its name, by what it acted on, or, for money, by taking or returning a payment',
  detect: detectUnsupportedSuccessClaim,
};
