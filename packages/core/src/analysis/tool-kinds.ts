import type { ToolStep } from './detector-context.js';
import { isNoteToSelf } from './detect-hallucination.js';

// Names that read rather than write, by their leading word. A documented heuristic (docs/expectations.md):
// a call that looks something up changes nothing, so it cannot have done what a response claims was done.
const READ_ONLY_LEAD =
  /^(?:get|search|list|find|fetch|lookup|look|read|query|check|calculate|calc|compute|think|view|show|describe|count|retrieve|browse|inspect|validate|verify|preview|estimate|quote)(?:[_\-.\s]|[A-Z]|$)/;

/**
 * Whether a call can have changed something: not a lookup by its name (`get_`, `search_`, `list_`…)
 * and not a scratchpad call (one free-text sentence in, nothing out).
 *
 * @example changesState({ tool: 'cancel_order', … }) // true; 'get_order' → false
 */
export function changesState(step: ToolStep): boolean {
  return !READ_ONLY_LEAD.test(step.tool) && !isNoteToSelf(step);
}
