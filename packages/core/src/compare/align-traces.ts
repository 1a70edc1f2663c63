import type { EventType, Trace, TraceEvent } from '../trace/schema.js';
import { describeDivergence } from './divergence.js';
import type { Divergence } from './divergence.js';
import { comparableView, eventSignatures, eventTool, ignoreSets, SignatureTable } from './event-signature.js';
import type { EventSignatures, IgnoreSets } from './event-signature.js';
import { diffFields } from './field-diff.js';
import type { FieldChange } from './field-diff.js';
import { anchorMatches, myersMatches, positionalMatches } from './sequence-diff.js';
import type { Matches, WorkBudget } from './sequence-diff.js';
import { textSimilarity } from './text-similarity.js';
import { traceDeltas } from './trace-deltas.js';
import type { EvaluationLike, TraceDeltas } from './trace-deltas.js';

export type AlignmentRowKind = 'same' | 'changed' | 'only_a' | 'only_b';

/** One step of the side-by-side view. Repeated identical tool calls are one row with counts. */
export interface AlignmentRow {
  kind: AlignmentRowKind;
  /** Event type of the step (run A's when both sides have it). */
  event_type: EventType;
  /** Tool name for tool calls and errors. */
  tool?: string;
  /** Event indexes in trace A (empty for `only_b`). Several when identical calls repeat. */
  a: number[];
  /** Event indexes in trace B (empty for `only_a`). */
  b: number[];
  count_a: number;
  count_b: number;
  /** Field-level differences for `changed` rows (a `count` entry first when the counts differ). */
  changes: FieldChange[];
  /** Whether this row is a behavior difference (see docs/compare.md for the rule). */
  behavior: boolean;
  /** Event indexes of the first pair of events whose content differs (absent when only counts differ). */
  changed_at?: { a: number; b: number };
  /** For text events that changed: token-set similarity of the two texts, 0..1. */
  similarity?: number;
  /** For `only_a`/`only_b` rows whose same step appears on the other side elsewhere (reordered). */
  counterpart?: number;
}

export interface AlignmentStats {
  same: number;
  changed: number;
  only_a: number;
  only_b: number;
}

export interface TraceAlignment {
  rows: AlignmentRow[];
  /** The first row where behavior differs, or `null` when the runs behaved the same. */
  divergence: Divergence | null;
  deltas: TraceDeltas;
  /** Things to know before reading the alignment, e.g. the traces are of different scenarios. */
  warnings: string[];
  stats: AlignmentStats;
  /**
   * `myers`: exact longest common subsequence of steps. `anchored`: the traces differ in more than
   * `maxEditDistance` places, so steps were matched on unique anchors and then by position.
   */
  algorithm: 'myers' | 'anchored';
}

export interface AlignOptions {
  /** Cap of Myers' edit search (insertions + deletions). Past it the coarse fallback is used. Default 1000. */
  maxEditDistance?: number;
  /** More keys to ignore at any depth, in addition to ids, timestamps and durations. */
  ignoreKeys?: readonly string[];
  /** Responses whose token-set similarity is below this count as a behavior difference. Default 0.5. */
  responseSimilarityThreshold?: number;
  /** Evaluations of each trace, for the verdict and findings deltas. */
  evaluations?: { a?: EvaluationLike; b?: EvaluationLike };
}

const DEFAULT_MAX_EDIT_DISTANCE = 1000;
const DEFAULT_RESPONSE_SIMILARITY = 0.5;

/**
 * Aligns two traces step by step and finds where their behavior diverged.
 *
 * @example
 * const alignment = alignTraces(baseTrace, headTrace);
 * alignment.divergence?.sentence
 * // 'Run B got an empty result from search_knowledge_base where run A got 1 article (event 1 vs event 1).'
 */
export function alignTraces(a: Trace, b: Trace, opts: AlignOptions = {}): TraceAlignment {
  const maxD = Math.max(0, Math.floor(opts.maxEditDistance ?? DEFAULT_MAX_EDIT_DISTANCE));
  const threshold = opts.responseSimilarityThreshold ?? DEFAULT_RESPONSE_SIMILARITY;
  const ignore = ignoreSets(opts.ignoreKeys);
  const table = new SignatureTable();
  const sigA = eventSignatures(a.events, table, ignore);
  const sigB = eventSignatures(b.events, table, ignore);
  const unitsA = collapseRepeats(a.events, sigA);
  const unitsB = collapseRepeats(b.events, sigB);

  const { matches, algorithm } = matchUnits(unitsA, unitsB, maxD, table.size);
  const ctx: RowContext = { a, b, sigA, sigB, unitsA, unitsB, ignore, threshold };
  const rows = buildRows(ctx, matches);
  linkReorderedSteps(rows, unitsA, unitsB);

  const warnings: string[] = [];
  if (a.scenario_id !== b.scenario_id) {
    warnings.push(
      `The traces are of different scenarios (${a.scenario_id} vs ${b.scenario_id}); differences may come from the scenario, not the agent.`,
    );
  }
  if (a.agent_name !== b.agent_name) warnings.push(`The traces are of different agents (${a.agent_name} vs ${b.agent_name}).`);
  for (const row of rows) {
    if (row.event_type === 'user_input' && row.kind === 'changed') {
      warnings.push(`The user input differs (event ${row.a[0]} vs event ${row.b[0]}); the runs were not given the same task.`);
    }
  }
  if (algorithm === 'anchored') {
    warnings.push(
      `The traces differ in more than ${maxD} steps; steps were matched on unique anchors and then by position, so the alignment is approximate.`,
    );
  }

  const stats: AlignmentStats = { same: 0, changed: 0, only_a: 0, only_b: 0 };
  for (const row of rows) stats[row.kind]++;
  return {
    rows,
    divergence: describeDivergence(rows, a, b),
    deltas: traceDeltas(a, b, opts.evaluations),
    warnings,
    stats,
    algorithm,
  };
}

/**
 * Consecutive tool events with the same step signature (same tool, same canonical parameters) are
 * one unit with a count: a loop of seven identical calls aligns as one step.
 */
interface Units {
  /** First event index of each unit. */
  start: Int32Array;
  count: Int32Array;
  step: Int32Array;
  kind: Int32Array;
  length: number;
}

function collapseRepeats(events: readonly TraceEvent[], sig: EventSignatures): Units {
  const n = events.length;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const step = new Int32Array(n);
  const kind = new Int32Array(n);
  let length = 0;
  for (let i = 0; i < n; i++) {
    const type = events[i]!.type;
    const isTool = type === 'tool_call' || type === 'tool_error';
    // Step signatures of tools carry the tool name, so only tool units can share one with a tool event.
    if (isTool && length > 0 && step[length - 1] === sig.step[i]) {
      count[length - 1]!++;
      continue;
    }
    start[length] = i;
    count[length] = 1;
    step[length] = sig.step[i]!;
    kind[length] = sig.kind[i]!;
    length++;
  }
  return { start, count, step, kind, length };
}

/**
 * Two passes. First, units are matched on their step signature: common prefix and suffix, then
 * Myers in between (or, past the cap, unique anchors plus capped Myers between anchors). Second,
 * each unmatched stretch is matched on the kind alone (same tool, other parameters; or the same
 * text event type), with capped Myers or, past the cap, by position.
 */
function matchUnits(ua: Units, ub: Units, maxD: number, symbolCount: number): { matches: Matches; algorithm: TraceAlignment['algorithm'] } {
  const na = ua.length;
  const nb = ub.length;
  let prefix = 0;
  while (prefix < na && prefix < nb && ua.step[prefix] === ub.step[prefix]) prefix++;
  let suffix = 0;
  while (suffix < na - prefix && suffix < nb - prefix && ua.step[na - 1 - suffix] === ub.step[nb - 1 - suffix]) suffix++;

  // Each capped diff that fails costs about maxD² steps; the budget keeps the sum of all of them
  // (first pass, gaps between anchors, second pass) within a few of those.
  const budget: WorkBudget = { left: 4 * maxD * maxD + 8 * (na + nb) };
  const fine: Matches = { a: [], b: [] };
  for (let k = 0; k < prefix; k++) push(fine, k, k);
  let algorithm: TraceAlignment['algorithm'] = 'myers';
  const middle = myersMatches(ua.step, prefix, na - suffix, ub.step, prefix, nb - suffix, maxD, budget);
  if (middle) {
    append(fine, middle);
  } else {
    algorithm = 'anchored';
    const anchors = anchorMatches(ua.step, prefix, na - suffix, ub.step, prefix, nb - suffix, symbolCount);
    if (anchors.a.length > 0) {
      forEachGap(anchors, prefix, na - suffix, prefix, nb - suffix, (as, ae, bs, be, anchor) => {
        const inGap = budget.left > 0 ? myersMatches(ua.step, as, ae, ub.step, bs, be, maxD, budget) : null;
        if (inGap) append(fine, inGap);
        if (anchor) push(fine, anchor.a, anchor.b);
      });
    }
  }
  for (let k = suffix; k > 0; k--) push(fine, na - k, nb - k);

  const all: Matches = { a: [], b: [] };
  forEachGap(fine, 0, na, 0, nb, (as, ae, bs, be, anchor) => {
    if (ae > as && be > bs) {
      const coarse = budget.left > 0 ? myersMatches(ua.kind, as, ae, ub.kind, bs, be, maxD, budget) : null;
      append(all, coarse ?? positionalMatches(ua.kind, as, ae, ub.kind, bs, be));
    }
    if (anchor) push(all, anchor.a, anchor.b);
  });
  return { matches: all, algorithm };
}

/** Calls `visit` for each stretch between consecutive matches (and after the last), then the match. */
function forEachGap(
  matches: Matches,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
  visit: (as: number, ae: number, bs: number, be: number, anchor: { a: number; b: number } | null) => void,
): void {
  let pa = aStart;
  let pb = bStart;
  for (let k = 0; k < matches.a.length; k++) {
    const ma = matches.a[k]!;
    const mb = matches.b[k]!;
    visit(pa, ma, pb, mb, { a: ma, b: mb });
    pa = ma + 1;
    pb = mb + 1;
  }
  visit(pa, aEnd, pb, bEnd, null);
}

function push(m: Matches, a: number, b: number): void {
  m.a.push(a);
  m.b.push(b);
}

function append(m: Matches, more: Matches): void {
  for (let k = 0; k < more.a.length; k++) push(m, more.a[k]!, more.b[k]!);
}

interface RowContext {
  a: Trace;
  b: Trace;
  sigA: EventSignatures;
  sigB: EventSignatures;
  unitsA: Units;
  unitsB: Units;
  ignore: IgnoreSets;
  threshold: number;
}

function buildRows(ctx: RowContext, matches: Matches): AlignmentRow[] {
  const rows: AlignmentRow[] = [];
  forEachGap(matches, 0, ctx.unitsA.length, 0, ctx.unitsB.length, (as, ae, bs, be, anchor) => {
    for (let u = as; u < ae; u++) rows.push(onlyRow('only_a', ctx.a.events, ctx.unitsA, u));
    for (let u = bs; u < be; u++) rows.push(onlyRow('only_b', ctx.b.events, ctx.unitsB, u));
    if (anchor) rows.push(pairRow(ctx, anchor.a, anchor.b));
  });
  return rows;
}

function unitIndexes(units: Units, u: number): number[] {
  const start = units.start[u]!;
  const count = units.count[u]!;
  const out = new Array<number>(count);
  for (let k = 0; k < count; k++) out[k] = start + k;
  return out;
}

function onlyRow(kind: 'only_a' | 'only_b', events: readonly TraceEvent[], units: Units, u: number): AlignmentRow {
  const event = events[units.start[u]!]!;
  const indexes = unitIndexes(units, u);
  const row: AlignmentRow = {
    kind,
    event_type: event.type,
    a: kind === 'only_a' ? indexes : [],
    b: kind === 'only_b' ? indexes : [],
    count_a: kind === 'only_a' ? indexes.length : 0,
    count_b: kind === 'only_b' ? indexes.length : 0,
    changes: [],
    // Reasoning, metadata and input are context; a step the agent took or skipped is behavior.
    behavior: event.type === 'tool_call' || event.type === 'tool_error' || event.type === 'agent_response' || event.type === 'custom',
  };
  const tool = eventTool(event);
  if (tool !== undefined) row.tool = tool;
  return row;
}

function pairRow(ctx: RowContext, ua: number, ub: number): AlignmentRow {
  const { unitsA, unitsB } = ctx;
  const startA = unitsA.start[ua]!;
  const startB = unitsB.start[ub]!;
  const countA = unitsA.count[ua]!;
  const countB = unitsB.count[ub]!;
  const eventA = ctx.a.events[startA]!;
  let firstDifferent = -1;
  for (let k = 0; k < Math.min(countA, countB); k++) {
    if (ctx.sigA.content[startA + k] !== ctx.sigB.content[startB + k]) {
      firstDifferent = k;
      break;
    }
  }
  const row: AlignmentRow = {
    kind: firstDifferent < 0 && countA === countB ? 'same' : 'changed',
    event_type: eventA.type,
    a: unitIndexes(unitsA, ua),
    b: unitIndexes(unitsB, ub),
    count_a: countA,
    count_b: countB,
    changes: [],
    behavior: false,
  };
  const tool = eventTool(eventA);
  if (tool !== undefined) row.tool = tool;
  if (row.kind === 'same') return row;

  if (countA !== countB) row.changes.push({ path: 'count', a: String(countA), b: String(countB) });
  if (firstDifferent >= 0) {
    const ea = ctx.a.events[startA + firstDifferent]!;
    const eb = ctx.b.events[startB + firstDifferent]!;
    row.changed_at = { a: startA + firstDifferent, b: startB + firstDifferent };
    row.changes.push(...diffFields(comparableView(ea, ctx.ignore), comparableView(eb, ctx.ignore)));
    if (ea.type === 'agent_response' && eb.type === 'agent_response') {
      row.similarity = textSimilarity(ea.data.message, eb.data.message);
    } else if (ea.type === 'agent_reasoning' && eb.type === 'agent_reasoning') {
      row.similarity = textSimilarity(ea.data.text, eb.data.text);
    }
  }
  switch (eventA.type) {
    case 'tool_call':
    case 'tool_error':
    case 'custom':
      row.behavior = true;
      break;
    case 'agent_response':
      row.behavior = row.similarity !== undefined && row.similarity < ctx.threshold;
      break;
    default:
      row.behavior = false;
  }
  return row;
}

/**
 * A step that is only in A and the same step only in B, elsewhere, is a reordering: both rows point
 * at each other so the reader (and the divergence sentence) can say "earlier"/"later".
 */
function linkReorderedSteps(rows: AlignmentRow[], unitsA: Units, unitsB: Units): void {
  const waiting = new Map<number, number[]>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.kind !== 'only_a' || row.tool === undefined) continue;
    const step = stepOf(unitsA, row.a[0]!);
    const list = waiting.get(step);
    if (list) list.push(r);
    else waiting.set(step, [r]);
  }
  if (waiting.size === 0) return;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.kind !== 'only_b' || row.tool === undefined) continue;
    const list = waiting.get(stepOf(unitsB, row.b[0]!));
    const other = list?.shift();
    if (other === undefined) continue;
    row.counterpart = other;
    rows[other]!.counterpart = r;
  }
}

function stepOf(units: Units, eventIndex: number): number {
  // Units are sorted by start; find the unit holding eventIndex.
  let lo = 0;
  let hi = units.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (units.start[mid]! <= eventIndex) lo = mid;
    else hi = mid - 1;
  }
  return units.step[lo]!;
}
