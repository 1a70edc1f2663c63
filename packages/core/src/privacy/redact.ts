// Redaction: replaces PII and secrets in traces with placeholders that are stable within a trace.
//
// Every string leaf of every event's `data` and of `trace.metadata` is scanned by the enabled
// detectors (see detectors.ts); values under secret-looking keys are replaced whole. Strings that
// hold a JSON object or array are parsed, redacted inside and re-serialized (only when something
// changed; numbers beyond 2^53 in such a string lose precision then, as with any JSON.parse).
// Placeholders already present are never re-detected, so redaction is idempotent, and new numbers
// continue after the ones already in the trace.
import type { Trace, TraceEvent } from '../trace/schema.js';
import { BUILTIN_DETECTORS, FAMILY_LABELS, RULE_FAMILIES, isSecretKey, type Detector, type Hit } from './detectors.js';
import { StepwiseError } from '../errors.js';
import { DEFAULT_PRIVACY_SETTINGS, validatePrivacySettings, type PrivacySettings, type PrivacySettingsInput } from './settings.js';

/**
 * What redaction did to one trace: how many values each rule replaced and which events it touched.
 * It never contains the values themselves.
 */
export interface RedactionReport {
  /** Values replaced, over all rules. */
  total: number;
  /** Values replaced per rule (`email`, `phone`, …, `secret_key`, or a custom rule's name). */
  counts: Record<string, number>;
  /** Distinct values per rule (the highest placeholder number handed out in this trace). */
  distinct: Record<string, number>;
  /** Indexes into `trace.events` of the events that had something replaced, ascending. */
  event_indexes: number[];
  /** Whether `trace.metadata` had something replaced. */
  trace_metadata: boolean;
}

/** One replaced span of a text, in the offsets of the original text. */
export interface TextRedaction {
  rule: string;
  label: string;
  start: number;
  end: number;
  placeholder: string;
}

/** A compiled set of rules, built once per workspace settings and reused for every trace. */
export interface Redactor {
  readonly settings: PrivacySettings;
  /**
   * Returns a redacted copy of `trace` and its report. The input is not mutated; unchanged
   * subtrees of `data` may be shared between input and output.
   */
  redactTrace(trace: Trace): { trace: Trace; report: RedactionReport };
  /** Redacts any JSON value (numbering starts at 1 for this value alone). */
  redactValue<T>(value: T): { value: T; report: RedactionReport };
  /** Redacts one text and says where each replacement was (used by the accuracy harness). */
  redactText(text: string): { text: string; redactions: TextRedaction[] };
}

// `<EMAIL_1>`, `<API_KEY_12>`, `<EMPLOYEE_ID_3>`: what a placeholder looks like.
const PLACEHOLDER_PATTERN = /<([A-Z][A-Z0-9_]*)_(\d+)>/g;
const WHOLE_PLACEHOLDER = /^<[A-Z][A-Z0-9_]*_\d+>$/;

/**
 * Whether a string is exactly one redaction placeholder.
 *
 * @example isPlaceholder('<EMAIL_1>') // true
 */
export function isPlaceholder(value: string): boolean {
  return WHOLE_PLACEHOLDER.test(value);
}

const CUSTOM_PRIORITY = -1;
const DIGIT = /\d/;

interface CompiledRules {
  detectors: Detector[];
  byRule: Map<string, Detector>;
  secretKeys: boolean;
  allowValues: Set<string>;
  allowPatterns: RegExp[];
}

/**
 * Compiles a workspace's own patterns (custom rules, allowlist patterns). The default is
 * JavaScript's RegExp, which backtracks: patterns are shape-checked when saved, but a backtracking
 * engine can still take polynomial time on hostile text. A server passes a linear-time engine
 * (RE2) here, so no pattern can stall it; core itself stays free of native code.
 */
export type RegexEngine = (source: string, flags: string) => RegExp;

export interface RedactorOptions {
  /** Engine for user-supplied patterns (default: `new RegExp`). */
  regexEngine?: RegexEngine;
}

const backtrackingEngine: RegexEngine = (source, flags) => new RegExp(source, flags);

function compile(settings: PrivacySettings, engine: RegexEngine): CompiledRules {
  const detectors: Detector[] = [];
  for (const family of RULE_FAMILIES) {
    if (settings.rules[family]) detectors.push(...BUILTIN_DETECTORS[family]);
  }
  for (const rule of settings.custom_rules) {
    const re = engine(rule.pattern, `${rule.flags ?? ''}g`);
    const detector: Detector = {
      rule: rule.name,
      label: rule.label,
      priority: CUSTOM_PRIORITY,
      find(s, out) {
        re.lastIndex = 0;
        for (let m = re.exec(s); m !== null; m = re.exec(s)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          out.push({ rule: rule.name, label: rule.label, start: m.index, end: m.index + m[0].length, priority: CUSTOM_PRIORITY });
        }
      },
      canonical: (v) => v,
    };
    detectors.unshift(detector);
  }
  const allowValues = new Set<string>();
  const allowPatterns: RegExp[] = [];
  for (const entry of settings.allowlist) {
    if (entry.value !== undefined) {
      allowValues.add(entry.value);
      allowValues.add(entry.value.toLowerCase());
    } else if (entry.pattern !== undefined) {
      allowPatterns.push(engine(`^(?:${entry.pattern})$`, entry.flags ?? ''));
    }
  }
  return {
    detectors,
    byRule: new Map(detectors.map((d) => [d.rule, d])),
    secretKeys: settings.rules.secret_key,
    allowValues,
    allowPatterns,
  };
}

/** Placeholder numbering and counts for one trace. */
class Session {
  readonly counts: Record<string, number> = {};
  readonly distinct: Record<string, number> = {};
  total = 0;
  private readonly next = new Map<string, number>();
  private readonly assigned = new Map<string, string>();

  /** Placeholders already in the input (e.g. redacted by the SDK) keep their numbers. */
  reserve(label: string, n: number): void {
    if ((this.next.get(label) ?? 1) <= n) this.next.set(label, n + 1);
  }

  placeholder(rule: string, label: string, canonicalValue: string): string {
    const key = `${label}\u0000${canonicalValue}`;
    let ph = this.assigned.get(key);
    if (ph === undefined) {
      const n = this.next.get(label) ?? 1;
      this.next.set(label, n + 1);
      ph = `<${label}_${n}>`;
      this.assigned.set(key, ph);
      this.distinct[rule] = (this.distinct[rule] ?? 0) + 1;
    }
    this.counts[rule] = (this.counts[rule] ?? 0) + 1;
    this.total++;
    return ph;
  }
}

function byPosition(a: Hit, b: Hit): number {
  return a.start - b.start || b.end - b.start - (a.end - a.start) || a.priority - b.priority;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // JSON may carry a "__proto__" key; plain assignment would change the prototype instead.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Engine implements Redactor {
  private readonly rules: CompiledRules;

  constructor(
    readonly settings: PrivacySettings,
    engine: RegexEngine,
  ) {
    this.rules = compile(settings, engine);
  }

  redactTrace(trace: Trace): { trace: Trace; report: RedactionReport } {
    const session = new Session();
    for (const event of trace.events) this.reserveExisting(event.data, session);
    if (trace.metadata) this.reserveExisting(trace.metadata, session);

    const eventIndexes: number[] = [];
    const events = trace.events.map((event, index): TraceEvent => {
      const before = session.total;
      const data = this.redactNode(event.data, session);
      if (session.total === before) return event;
      eventIndexes.push(index);
      return { ...event, data } as TraceEvent;
    });
    const out: Trace = { ...trace, events };
    let metadataTouched = false;
    if (trace.metadata !== undefined) {
      const before = session.total;
      out.metadata = this.redactNode(trace.metadata, session) as Record<string, unknown>;
      metadataTouched = session.total !== before;
    }
    return { trace: out, report: reportOf(session, eventIndexes, metadataTouched) };
  }

  redactValue<T>(value: T): { value: T; report: RedactionReport } {
    const session = new Session();
    this.reserveExisting(value, session);
    const out = this.redactNode(value, session) as T;
    return { value: out, report: reportOf(session, [], false) };
  }

  redactText(text: string): { text: string; redactions: TextRedaction[] } {
    const session = new Session();
    this.reserveExisting(text, session);
    const redactions: TextRedaction[] = [];
    const out = this.redactString(text, session, redactions);
    return { text: out, redactions };
  }

  private reserveExisting(node: unknown, session: Session): void {
    if (typeof node === 'string') {
      if (node.indexOf('<') < 0) return;
      PLACEHOLDER_PATTERN.lastIndex = 0;
      for (let m = PLACEHOLDER_PATTERN.exec(node); m !== null; m = PLACEHOLDER_PATTERN.exec(node)) {
        session.reserve(m[1] ?? '', Number(m[2]));
      }
    } else if (Array.isArray(node)) {
      for (const item of node) this.reserveExisting(item, session);
    } else if (isPlainObject(node)) {
      for (const key of Object.keys(node)) this.reserveExisting(node[key], session);
    }
  }

  private redactNode(node: unknown, session: Session): unknown {
    if (typeof node === 'string') return this.redactLeafString(node, session);
    if (Array.isArray(node)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        const next = this.redactNode(item, session);
        if (next !== item) {
          copy ??= node.slice();
          copy[i] = next;
        }
      }
      return copy ?? node;
    }
    if (isPlainObject(node)) {
      let copy: Record<string, unknown> | null = null;
      for (const key of Object.keys(node)) {
        const item = node[key];
        const next = this.rules.secretKeys && isSecretKey(key) ? this.redactSecretValue(item, session) : this.redactNode(item, session);
        if (next !== item) {
          copy ??= { ...node };
          setOwn(copy, key, next);
        }
      }
      return copy ?? node;
    }
    return node;
  }

  /** The value under a secret-looking key is replaced whole, whatever its type. */
  private redactSecretValue(value: unknown, session: Session): unknown {
    if (value === null || value === undefined || typeof value === 'boolean' || value === '') return value;
    if (typeof value === 'string') {
      if (WHOLE_PLACEHOLDER.test(value) || this.allowed(value)) return value;
      return session.placeholder('secret_key', FAMILY_LABELS.secret_key, value);
    }
    return session.placeholder('secret_key', FAMILY_LABELS.secret_key, JSON.stringify(value) ?? String(value));
  }

  private redactLeafString(s: string, session: Session): string {
    if (looksLikeJsonContainer(s)) {
      // JSON-encoded tool results: redact inside (so secret keys work) and re-serialize.
      const parsed = tryParseJson(s);
      if (parsed !== undefined) {
        const redacted = this.redactNode(parsed, session);
        if (redacted === parsed) return s;
        return JSON.stringify(redacted, null, indentOf(s));
      }
    }
    return this.redactString(s, session, null);
  }

  private redactString(s: string, session: Session, redactions: TextRedaction[] | null): string {
    const hits: Hit[] = [];
    const hasDigit = DIGIT.test(s);
    for (const d of this.rules.detectors) if (hasDigit || d.needsDigit !== true) d.find(s, hits);
    if (hits.length === 0) return s;
    hits.sort(byPosition);

    // Existing placeholders are never re-detected: that keeps redaction idempotent.
    const protectedSpans: Array<[number, number]> = [];
    if (s.indexOf('<') >= 0) {
      PLACEHOLDER_PATTERN.lastIndex = 0;
      for (let m = PLACEHOLDER_PATTERN.exec(s); m !== null; m = PLACEHOLDER_PATTERN.exec(s)) {
        protectedSpans.push([m.index, m.index + m[0].length]);
      }
    }

    let out = '';
    let cursor = 0;
    for (const hit of hits) {
      if (hit.start < cursor) continue;
      if (protectedSpans.some(([a, b]) => hit.start < b && a < hit.end)) continue;
      const value = s.slice(hit.start, hit.end);
      if (this.allowed(value)) continue;
      const detector = this.rules.byRule.get(hit.rule);
      const canonical = detector ? detector.canonical(value) : value;
      const ph = session.placeholder(hit.rule, hit.label, canonical);
      out += s.slice(cursor, hit.start) + ph;
      cursor = hit.end;
      redactions?.push({ rule: hit.rule, label: hit.label, start: hit.start, end: hit.end, placeholder: ph });
    }
    return cursor === 0 && out === '' ? s : out + s.slice(cursor);
  }

  private allowed(value: string): boolean {
    const { allowValues, allowPatterns } = this.rules;
    if (allowValues.size > 0 && (allowValues.has(value) || allowValues.has(value.toLowerCase()))) return true;
    for (const re of allowPatterns) if (re.test(value)) return true;
    return false;
  }
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function looksLikeJsonContainer(s: string): boolean {
  let i = 0;
  let j = s.length - 1;
  while (i < j && isJsonSpace(s.charCodeAt(i))) i++;
  while (j > i && isJsonSpace(s.charCodeAt(j))) j--;
  if (j <= i) return false;
  const first = s.charCodeAt(i);
  const last = s.charCodeAt(j);
  return (first === 123 && last === 125) || (first === 91 && last === 93);
}

function tryParseJson(s: string): object | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps pretty-printed JSON strings pretty: the indent of the first indented line. */
function indentOf(s: string): number | string | undefined {
  const m = /\n([ \t]+)/.exec(s);
  if (!m) return undefined;
  const ws = m[1] ?? '';
  return ws.startsWith('\t') ? '\t' : Math.min(ws.length, 10);
}

function reportOf(session: Session, eventIndexes: number[], traceMetadata: boolean): RedactionReport {
  return {
    total: session.total,
    counts: { ...session.counts },
    distinct: { ...session.distinct },
    event_indexes: eventIndexes,
    trace_metadata: traceMetadata,
  };
}

/**
 * Compiles settings into a reusable redactor. Compile once per workspace settings; the rules'
 * regexes are built here, never per string. Invalid settings throw a `StepwiseError` with code
 * `validation_failed` whose details list every failing path.
 *
 * @example const redactor = createRedactor({ allowlist: [{ value: 'support@acme.com' }] });
 *          const { trace, report } = redactor.redactTrace(rawTrace);
 */
export function createRedactor(
  settings: PrivacySettingsInput | PrivacySettings = DEFAULT_PRIVACY_SETTINGS,
  options: RedactorOptions = {},
): Redactor {
  const checked = validatePrivacySettings(settings);
  if (!checked.ok) {
    const summary = checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new StepwiseError('validation_failed', `invalid privacy settings: ${summary}`, checked.errors);
  }
  return new Engine(checked.value, options.regexEngine ?? backtrackingEngine);
}

let defaultRedactor: Redactor | null = null;

function redactorFor(settings: PrivacySettingsInput | PrivacySettings | undefined): Redactor {
  if (settings !== undefined) return createRedactor(settings);
  defaultRedactor ??= createRedactor(DEFAULT_PRIVACY_SETTINGS);
  return defaultRedactor;
}

/**
 * Replaces PII and secrets in every string leaf of the events' `data` and in `trace.metadata`
 * with placeholders that are stable within the trace (`<EMAIL_1>` is the same address
 * everywhere). Run it before `truncateTrace`. For many traces, use `createRedactor` once.
 *
 * @example const { trace: safe, report } = redactTrace(trace); // report.counts.email === 2
 */
export function redactTrace(trace: Trace, settings?: PrivacySettingsInput | PrivacySettings): { trace: Trace; report: RedactionReport } {
  return redactorFor(settings).redactTrace(trace);
}

/**
 * Redacts any JSON value the same way (e.g. a result item before it leaves the SDK).
 *
 * @example redactValue({ to: 'ann@example.com' }).value // { to: '<EMAIL_1>' }
 */
export function redactValue<T>(value: T, settings?: PrivacySettingsInput | PrivacySettings): { value: T; report: RedactionReport } {
  return redactorFor(settings).redactValue(value);
}
