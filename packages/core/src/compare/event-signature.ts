import type { TraceEvent } from '../trace/schema.js';

/**
 * Keys that carry transport or timing noise, never behavior. They are dropped at any depth before
 * events are compared. Durations and timestamps are reported as deltas instead.
 */
export const DEFAULT_IGNORED_KEYS: readonly string[] = [
  'call_id',
  'request_id',
  'requestId',
  'trace_id',
  'traceId',
  'span_id',
  'spanId',
  'parent_id',
  'timestamp',
  'created_at',
  'createdAt',
  'updated_at',
  'updatedAt',
  'duration_ms',
  'latency_ms',
  'elapsed_ms',
];

/**
 * Tools are called with ids that matter (`lookup_order({ id: "A-17" })`), so a bare `id` is ignored
 * only outside `parameters`: in event data, results and errors, where it is usually a generated
 * record or message id.
 */
const ID_KEY = 'id';

/** Metadata fields that are reported as deltas (tokens, cost, timing), not as changes. */
const METADATA_DELTA_KEYS = ['tokens', 'cost_usd', 'latency_ms'];

// `<EMAIL_1>` and `<EMAIL_2>` stand for different addresses within one trace, but the numbering is
// per trace, so across two traces only the label is comparable.
const PLACEHOLDER = /<([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_\d+>/g;

/** Replaces numbered redaction placeholders by their label: `<EMAIL_3>` → `<EMAIL>`. */
export function normalizePlaceholders(text: string): string {
  return text.includes('<') ? text.replace(PLACEHOLDER, '<$1>') : text;
}

/** The key sets used to canonicalize one pair of traces. */
export interface IgnoreSets {
  /** Applied inside tool parameters. */
  parameters: ReadonlySet<string>;
  /** Applied everywhere else (event data, results, errors, custom data). */
  other: ReadonlySet<string>;
}

export function ignoreSets(extra: readonly string[] = []): IgnoreSets {
  const parameters = new Set([...DEFAULT_IGNORED_KEYS, ...extra]);
  const other = new Set(parameters);
  other.add(ID_KEY);
  return { parameters, other };
}

/**
 * A copy of `value` as it is compared: ignored keys and `undefined` dropped, placeholders
 * normalized. Used for field-level diffs of the few rows that changed.
 */
export function comparableValue(value: unknown, ignore: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return normalizePlaceholders(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => comparableValue(item, ignore));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || ignore.has(key)) continue;
    out[key] = comparableValue(item, ignore);
  }
  return out;
}

/** What an event is, for alignment: its kind, and the tool or custom name when it has one. */
export function eventKind(event: TraceEvent): string {
  switch (event.type) {
    case 'tool_call':
    case 'tool_error':
      // A call that failed in one run and succeeded in the other is the same step with a different
      // outcome, so both types share one kind.
      return `tool:${event.data.tool}`;
    case 'custom':
      return `custom:${event.data.name}`;
    default:
      return event.type;
  }
}

/** Tool name of a tool event, or `undefined`. */
export function eventTool(event: TraceEvent): string | undefined {
  return event.type === 'tool_call' || event.type === 'tool_error' ? event.data.tool : undefined;
}

/**
 * The comparable view of an event: everything that counts as the event's behavior, with noise
 * removed. Two events with equal views are the same step with the same outcome.
 */
export function comparableView(event: TraceEvent, ignore: IgnoreSets): Record<string, unknown> {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'tool_call' || event.type === 'tool_error') {
    const { parameters, tool: _tool, ...rest } = data;
    const view: Record<string, unknown> = {
      outcome: event.type === 'tool_error' ? 'error' : 'result',
      parameters: comparableValue(parameters ?? {}, ignore.parameters),
    };
    const others = comparableValue(rest, ignore.other) as Record<string, unknown>;
    return { ...view, ...others };
  }
  if (event.type === 'metadata') {
    const rest: Record<string, unknown> = { ...data };
    for (const key of METADATA_DELTA_KEYS) delete rest[key];
    return comparableValue(rest, ignore.other) as Record<string, unknown>;
  }
  if (event.type === 'agent_response') {
    const { tokens_used: _tokens, ...rest } = data;
    return comparableValue(rest, ignore.other) as Record<string, unknown>;
  }
  return comparableValue(data, ignore.other) as Record<string, unknown>;
}

/**
 * Structural 64-bit hashes of JSON values, in two 32-bit lanes. Equal comparable values (same
 * content after ignored keys are dropped and placeholders normalized, any key order) hash equal;
 * different values collide with probability about 2⁻⁶⁴ per pair. Object entries are combined by
 * addition, so key order needs no sorting, and no text is built per value.
 */
export class StructuralHasher {
  /** Lanes of the last hash computed. */
  lo = 0;
  hi = 0;

  /** Hashes a string value (redaction placeholders normalized). */
  string(text: string): void {
    this.rawString(text.includes('<') ? normalizePlaceholders(text) : text);
  }

  /** Hashes a string as is (object keys). */
  rawString(text: string): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x3c6ef372;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    this.lo = fmix(h1 ^ text.length);
    this.hi = fmix(h2 ^ 0x73747220);
  }

  value(value: unknown, ignore: ReadonlySet<string>): void {
    if (value === null || value === undefined) {
      this.lo = 0x6e756c6c;
      this.hi = 0x1b873593;
      return;
    }
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'boolean':
        this.lo = value ? 0x74727565 : 0x66616c73;
        this.hi = value ? 0x2f9be6cc : 0x5a1f2b7d;
        return;
      case 'number':
        if (Number.isInteger(value) && Math.abs(value) < 0x7fffffff) {
          this.lo = fmix(value ^ 0x6e756d00);
          this.hi = fmix(Math.imul(value, 0x9e3779b1) ^ 0x4e554d31);
        } else {
          this.string(Number.isFinite(value) ? `#${value}` : '#null');
          this.hi ^= 0x23232323;
        }
        return;
      case 'object':
        if (Array.isArray(value)) this.array(value, ignore);
        else this.record(value as Record<string, unknown>, ignore, undefined);
        return;
      default:
        this.lo = 0x6e756c6c;
        this.hi = 0x1b873593;
    }
  }

  array(items: readonly unknown[], ignore: ReadonlySet<string>): void {
    let h1 = 0x61727231 ^ items.length;
    let h2 = 0x41525232;
    for (const item of items) {
      this.value(item, ignore);
      h1 = fmix(Math.imul(h1, 0x01000193) ^ this.lo);
      h2 = fmix(Math.imul(h2 ^ this.hi, 0x5bd1e995) + this.lo);
    }
    this.lo = h1;
    this.hi = h2;
  }

  /** Hashes an object without the ignored keys, the `skip` keys and `undefined` values. */
  record(record: Record<string, unknown>, ignore: ReadonlySet<string>, skip: ReadonlySet<string> | undefined): void {
    let s1 = 0;
    let s2 = 0;
    let count = 0;
    for (const key in record) {
      if (!Object.hasOwn(record, key) || ignore.has(key) || skip?.has(key)) continue;
      const item = record[key];
      if (item === undefined) continue;
      this.rawString(key);
      const k1 = this.lo;
      const k2 = this.hi;
      this.value(item, ignore);
      s1 = (s1 + fmix(Math.imul(k1, 0x9e3779b1) ^ this.lo ^ ((this.hi << 7) | (this.hi >>> 25)))) | 0;
      s2 = (s2 + fmix(Math.imul(k2, 0x85ebca77) ^ this.hi ^ ((this.lo << 13) | (this.lo >>> 19)))) | 0;
      count++;
    }
    this.lo = fmix(s1 ^ Math.imul(count, 0xcc9e2d51) ^ 0x6f626a31);
    this.hi = fmix(s2 ^ Math.imul(count, 0x1b873593) ^ 0x4f424a32);
  }
}

// MurmurHash3's 32-bit finalizer: every input bit affects every output bit.
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function combine(a1: number, a2: number, b1: number, b2: number, out: StructuralHasher): void {
  out.lo = fmix(Math.imul(a1, 0x01000193) ^ b1 ^ 0x5f5f5f5f);
  out.hi = fmix(Math.imul(a2 ^ b2, 0x5bd1e995) + b1);
}

/** Interns texts and 64-bit hashes as small integers, so sequences compare as integer arrays. */
export class SignatureTable {
  private readonly texts = new Map<string, number>();
  private readonly byLo = new Map<number, number>();
  private readonly hiOf: number[] = [];
  private readonly collided = new Map<string, number>();
  private next = 0;

  private readonly toolKinds = new Map<string, number>();
  private readonly customKinds = new Map<string, number>();

  internText(text: string): number {
    let id = this.texts.get(text);
    if (id === undefined) {
      id = this.next++;
      this.texts.set(text, id);
      this.hiOf[id] = 0;
    }
    return id;
  }

  /** The id of an event's kind (see `eventKind`), without building its text for every event. */
  internKind(event: TraceEvent): number {
    const byName =
      event.type === 'tool_call' || event.type === 'tool_error' ? this.toolKinds : event.type === 'custom' ? this.customKinds : null;
    if (byName === null) return this.internText(event.type);
    const name = event.type === 'custom' ? event.data.name : (event.data as { tool: string }).tool;
    let id = byName.get(name);
    if (id === undefined) {
      id = this.internText(eventKind(event));
      byName.set(name, id);
    }
    return id;
  }

  internHash(lo: number, hi: number): number {
    const id = this.byLo.get(lo);
    if (id === undefined) {
      const fresh = this.next++;
      this.byLo.set(lo, fresh);
      this.hiOf[fresh] = hi;
      return fresh;
    }
    if (this.hiOf[id] === hi) return id;
    // Same low lane, different high lane: a different value; keep the full 64 bits apart.
    const key = `${lo}:${hi}`;
    let other = this.collided.get(key);
    if (other === undefined) {
      other = this.next++;
      this.collided.set(key, other);
      this.hiOf[other] = hi;
    }
    return other;
  }

  /** One more than the largest id handed out. */
  get size(): number {
    return this.next;
  }
}

/** Interned signatures of every event of one trace. */
export interface EventSignatures {
  /** The kind: `tool:<name>`, `custom:<name>`, or the event type. */
  kind: Int32Array;
  /** The step: the kind plus, for tools, the comparable parameters. Alignment matches on this. */
  step: Int32Array;
  /** The whole comparable view. Equal content means a `same` row. */
  content: Int32Array;
}

const TOOL_SKIP: ReadonlySet<string> = new Set(['tool', 'parameters']);
const RESPONSE_SKIP: ReadonlySet<string> = new Set(['tokens_used']);
const METADATA_SKIP: ReadonlySet<string> = new Set(METADATA_DELTA_KEYS);

export function eventSignatures(events: readonly TraceEvent[], table: SignatureTable, ignore: IgnoreSets): EventSignatures {
  const n = events.length;
  const kind = new Int32Array(n);
  const step = new Int32Array(n);
  const content = new Int32Array(n);
  const h = new StructuralHasher();
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    const kindId = table.internKind(event);
    kind[i] = kindId;
    // Kind ids are exact within the table, so they stand in for the kind text in the hashes.
    const kindLo = fmix(kindId ^ 0x6b696e64);
    const kindHi = fmix(Math.imul(kindId + 1, 0x9e3779b1));
    const data = event.data as Record<string, unknown>;
    if (event.type === 'tool_call' || event.type === 'tool_error') {
      const parameters = data.parameters;
      if (parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters)) {
        h.record(parameters as Record<string, unknown>, ignore.parameters, undefined);
      } else {
        h.record({}, ignore.parameters, undefined);
      }
      combine(kindLo, kindHi, h.lo, h.hi, h);
      const stepLo = h.lo;
      const stepHi = h.hi;
      step[i] = table.internHash(stepLo, stepHi);
      h.record(data, ignore.other, TOOL_SKIP);
      const restLo = h.lo;
      const restHi = h.hi;
      const errored = event.type === 'tool_error' ? 0x65727221 : 0x6f6b6179;
      combine(stepLo ^ errored, stepHi ^ fmix(errored), restLo, restHi, h);
      content[i] = table.internHash(h.lo, h.hi);
    } else {
      step[i] = kind[i]!;
      h.record(data, ignore.other, event.type === 'agent_response' ? RESPONSE_SKIP : event.type === 'metadata' ? METADATA_SKIP : undefined);
      combine(kindLo, kindHi, h.lo, h.hi, h);
      content[i] = table.internHash(h.lo, h.hi);
    }
  }
  return { kind, step, content };
}
