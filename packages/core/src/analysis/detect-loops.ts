import type { Trace } from '../trace/schema.js';
import { canonicalJson } from './canonical-json.js';
import { describeCall } from './describe.js';
import type { DetectorContext, ToolStep } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import type { Finding } from './types.js';

/**
 * Loops: the same tool with the same parameters (key order does not matter) called
 * `loopMinRepeats` times in a row (default 3), and A-B-A-B alternation of two calls for
 * `alternationMinCycles` full cycles (default 2). A user input or a response ends a run: a new turn
 * may legitimately repeat a call. Repeats that also return the same result are marked as making no
 * progress and rated high.
 */
export function detectLoops(trace: Trace, ctx: DetectorContext): Finding[] {
  const tools = ctx.tools;
  if (tools.length < 2) return [];
  const boundaries = [...ctx.userInputs.map((u) => u.index), ...ctx.responses.map((r) => r.index)].sort((a, b) => a - b);
  const turn: number[] = [];
  let b = 0;
  for (const step of tools) {
    while (b < boundaries.length && boundaries[b]! < step.index) b++;
    turn.push(b);
  }
  // Canonical parameters are computed only for calls whose tool name could repeat.
  const params: (string | undefined)[] = new Array<string | undefined>(tools.length);
  const paramsAt = (i: number): string => (params[i] ??= canonicalJson(tools[i]!.parameters));
  const same = (i: number, j: number): boolean => turn[i] === turn[j] && tools[i]!.tool === tools[j]!.tool && paramsAt(i) === paramsAt(j);
  const findings: Finding[] = [];

  // Runs of identical calls.
  for (let i = 0; i < tools.length;) {
    let j = i + 1;
    while (j < tools.length && same(i, j)) j++;
    const count = j - i;
    if (count >= ctx.options.loopMinRepeats && !pagesThrough(tools.slice(i, j))) findings.push(repeatFinding(tools.slice(i, j)));
    i = j;
  }

  // A-B-A-B alternation.
  for (let i = 0; i + 3 < tools.length;) {
    if (same(i, i + 1) || !same(i, i + 2) || !same(i + 1, i + 3) || turn[i] !== turn[i + 1]) {
      i++;
      continue;
    }
    let j = i + 4;
    while (j < tools.length && same(j, j - 2)) j++;
    const cycles = Math.floor((j - i) / 2);
    if (cycles >= ctx.options.alternationMinCycles) {
      const steps = tools.slice(i, i + cycles * 2);
      const a = tools[i]!;
      const c = tools[i + 1]!;
      findings.push({
        pattern: 'loop',
        category: 'reasoning_failure',
        severity: cycles >= 3 ? 'high' : 'medium',
        basis: 'evidence',
        event_indexes: steps.map((s) => s.index),
        summary: `Alternated between ${describeCall(a.tool, a.parameters)} and ${describeCall(c.tool, c.parameters)} ${cycles} times without changing the parameters.`,
      });
      i += cycles * 2;
    } else {
      i++;
    }
  }
  return findings.sort((x, y) => x.event_indexes[0]! - y.event_indexes[0]!);
}

/**
 * Paging or scrolling: every repeat returned a substantial result (3+ values) of which most values
 * are new. That is progress, not a loop; a status poll whose one field changes is still a repeat.
 */
function pagesThrough(steps: ToolStep[]): boolean {
  let previous: Set<string> | undefined;
  for (const step of steps) {
    if (step.outcome.kind !== 'data') return false;
    const values = leafValues(step.result);
    if (values.size < 3) return false;
    if (previous) {
      let seen = 0;
      for (const v of values) if (previous.has(v)) seen++;
      if (seen * 2 >= values.size) return false;
    }
    previous = values;
  }
  return true;
}

function leafValues(value: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 8 || out.size > 500) return out;
  if (Array.isArray(value)) for (const v of value) leafValues(v, out, depth + 1);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value as Record<string, unknown>)) leafValues(v, out, depth + 1);
  else if (value !== undefined && value !== null) out.add(String(value));
  return out;
}

function repeatFinding(steps: ToolStep[]): Finding {
  const first = steps[0]!;
  const results = steps.map((s) => (s.outcome.kind === 'error' ? `error:${s.errorText ?? ''}` : canonicalJson(s.result)));
  const noProgress = results.every((r) => r === results[0]);
  const outcome = noProgress ? 'getting the same result each time (no progress)' : 'although the results changed';
  return {
    pattern: 'loop',
    category: 'reasoning_failure',
    severity: noProgress ? 'high' : 'medium',
    basis: 'evidence',
    event_indexes: steps.map((s) => s.index),
    summary: `Called ${describeCall(first.tool, first.parameters)} ${steps.length} times in a row with the same parameters, ${outcome}.`,
  };
}

export const loopDetector: DetectorDescriptor = {
  pattern: 'loop',
  category: 'reasoning_failure',
  basis: 'evidence',
  severity: 'high when the results repeat too, else medium',
  what: 'the same call (tool + parameters, key order ignored) 3+ times in a row within a turn, or A-B-A-B for 2+ cycles (high from 3)',
  detect: detectLoops,
};
