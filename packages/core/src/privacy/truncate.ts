import type { Trace, TraceEvent } from '../trace/schema.js';
import { formatJsonPath } from '../trace/json-path.js';
import { DEFAULT_MAX_EVENT_BYTES } from './settings.js';

/**
 * The mark a truncated event carries, as a top-level field of the event (beside `type` and
 * `data`), so readers can tell a cut payload from a short one without looking inside `data`.
 */
export interface TruncationMark {
  /** UTF-8 bytes of `JSON.stringify(event.data)` before truncation. */
  original_bytes: number;
  /** JSON paths of the cut values, from the event: `data.result.articles[0].content`. */
  paths: string[];
}

/** A trace event after truncation: `truncated` is present only when something was cut. */
export type TruncatedEvent = TraceEvent & { truncated?: TruncationMark };

export interface TruncationReport {
  /** Events that were cut, with their index in `trace.events`. */
  events: Array<{ index: number; original_bytes: number; final_bytes: number; paths: string[] }>;
}

export interface TruncateOptions {
  /** Limit on the UTF-8 bytes of `JSON.stringify(event.data)`; default 10240. */
  maxEventBytes?: number;
}

// Strings shorter than this are left alone while there is bigger prey; arrays keep at least one item.
const MIN_STRING_CUT = 256;
const MIN_KEEP_CHARS = 16;

/** The marker that ends a cut string: `…[truncated 12345 bytes]` (bytes removed, UTF-8). */
export function truncationMarker(removedBytes: number): string {
  return `…[truncated ${removedBytes} bytes]`;
}

/** The string that replaces the tail of a cut array: `…[truncated 480 items]`. */
export function arrayTruncationMarker(removedItems: number): string {
  return `…[truncated ${removedItems} items]`;
}

/** UTF-8 bytes of a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3; // BMP char, or a lone surrogate (encoded as U+FFFD)
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * UTF-8 bytes of `JSON.stringify(value)` for JSON data, computed by walking the value instead of
 * serializing it: truncation measures every event, and most are far under the limit, so this
 * saves a full serialization (and its garbage) per event on the ingest path.
 */
export function jsonByteLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return jsonStringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
    case 'undefined':
    case 'function':
    case 'symbol':
      // Not JSON data: fall back to what JSON.stringify itself does.
      return utf8Length(JSON.stringify(value) ?? '');
    default:
      break;
  }
  if (value === null) return 4;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return utf8Length(JSON.stringify(value) ?? '');
  if (Array.isArray(value)) {
    let n = 2 + Math.max(0, value.length - 1);
    for (const item of value) {
      n += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 4 : jsonByteLength(item);
    }
    return n;
  }
  let n = 2;
  let first = true;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    n += (first ? 0 : 1) + jsonStringBytes(key) + 1 + jsonByteLength(item);
    first = false;
  }
  return n;
}

// Control characters are exactly what JSON escapes, so they belong in this class.
// eslint-disable-next-line no-control-regex -- matching the characters JSON.stringify escapes
const NEEDS_COUNTING = /[\u0000-\u001f"\\\u0080-\uffff]/;

/** UTF-8 bytes of a string as JSON.stringify writes it: quotes, escapes, lone surrogates as \uXXXX. */
function jsonStringBytes(s: string): number {
  // Most text is plain printable ASCII: one native scan settles it.
  if (!NEEDS_COUNTING.test(s)) return s.length + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) n += 1;
      else if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
      else n += 6;
    } else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      if (i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
        n += 4;
        i++;
      } else n += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/**
 * Where a value sits: its container and key, and the slot of that container (`up`, null for the
 * root). Paths are rebuilt from this chain only for the values that are cut, so the memory of the
 * slots grows with the number of values, never with values × depth.
 */
interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  up: Slot | null;
  /** The value when the slot was made (or last set): a slot whose value was replaced above it is stale. */
  node: unknown;
  /** UTF-8 bytes of the value's JSON when collected: the ranking key. */
  bytes: number;
}

function pathOf(slot: Slot): Array<string | number> {
  const path: Array<string | number> = [];
  for (let s: Slot | null = slot; s; s = s.up) path.push(s.key);
  path.push('data');
  return path.reverse();
}

/**
 * The longest prefix of `s` (in UTF-16 units) whose UTF-8 size is at most `budget` bytes, never
 * ending between the two halves of a surrogate pair.
 */
function prefixWithin(s: string, budget: number): number {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80)
      size = c < 0x20 || c === 0x22 || c === 0x5c ? 6 : 1; // worst case JSON escape
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      size = 4;
      units = 2;
    } else if (c >= 0xd800 && c <= 0xdfff)
      size = 6; // lone surrogate: JSON.stringify writes \udXXX
    else size = 3;
    if (bytes + size > budget) break;
    bytes += size;
    i += units;
  }
  return i;
}

function cutString(s: string, targetJsonBytes: number): string {
  // Keep as much as fits in the target once the marker and quotes are added.
  const marker = truncationMarker(utf8Length(s));
  const budget = Math.max(0, targetJsonBytes - 2 - utf8Length(marker));
  const keep = Math.max(Math.min(MIN_KEEP_CHARS, s.length), prefixWithin(s, budget));
  const safeKeep = keep > 0 && keep < s.length && isLowSurrogate(s.charCodeAt(keep)) ? keep - 1 : keep;
  return s.slice(0, safeKeep) + truncationMarker(utf8Length(s.slice(safeKeep)));
}

// The fields that say what an event is; kept when an event's data has to lose keys.
const ROOT_KEYS = ['name', 'tool', 'parameters', 'message', 'text', 'error_type', 'model', 'call_id'];

function setOwnKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `obj` with the `first` keys (when present), then the others in order, as long as the
 * serialization stays within `budget` bytes, plus a `"…": "[truncated N keys]"` entry.
 */
function keepHeadKeys(obj: Record<string, unknown>, budget: number, first: readonly string[]): Record<string, unknown> {
  const keys = Object.keys(obj);
  const ordered = [...first.filter((k) => keys.includes(k)), ...keys.filter((k) => !first.includes(k))];
  const markerBytes = jsonByteLength({ '…': `[truncated ${keys.length} keys]` }) - 1; // minus "}", plus ","
  let used = 2;
  const kept: string[] = [];
  for (const key of ordered) {
    const entry = utf8Length(JSON.stringify(key)) + 1 + jsonByteLength(obj[key]) + (kept.length > 0 ? 1 : 0);
    if (used + entry + markerBytes > budget) continue;
    used += entry;
    kept.push(key);
  }
  const next: Record<string, unknown> = {};
  for (const key of kept) setOwnKey(next, key, obj[key]);
  setOwnKey(next, '…', `[truncated ${keys.length - kept.length} keys]`);
  return next;
}

function setAt(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else Object.defineProperty(slot.parent, slot.key, { value, enumerable: true, writable: true, configurable: true });
  slot.node = value;
}

/** Deep copy of JSON data, so cutting never touches the caller's objects. */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: cloneJson((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

interface Collected {
  strings: Slot[];
  arrays: Slot[];
  containers: Slot[];
}

/**
 * Lists the slots of every string, array and nested container under `node`, with the JSON size of
 * each computed in the same walk (bottom-up), so ranking costs one pass however deep the data.
 * Returns the JSON size of `node`. Fields directly under `data` (depth 1) are not containers.
 */
function collect(node: unknown, self: Slot | null, depth: number, out: Collected): number {
  if (typeof node === 'string') {
    const bytes = jsonStringBytes(node);
    if (self) {
      self.bytes = bytes;
      out.strings.push(self);
    }
    return bytes;
  }
  if (Array.isArray(node)) {
    let bytes = 2 + Math.max(0, node.length - 1);
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') bytes += 4;
      else bytes += collect(item, { parent: node, key: i, up: self, node: item, bytes: 0 }, depth + 1, out);
    }
    if (self) {
      self.bytes = bytes;
      out.arrays.push(self);
      // Fields directly under `data` keep their type (tools_offered stays an array).
      if (depth > 1) out.containers.push(self);
    }
    return bytes;
  }
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    let bytes = 2;
    let first = true;
    for (const key of Object.keys(obj)) {
      const item = obj[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      bytes +=
        (first ? 0 : 1) + jsonStringBytes(key) + 1 + collect(item, { parent: obj, key, up: self, node: item, bytes: 0 }, depth + 1, out);
      first = false;
    }
    if (self) {
      self.bytes = bytes;
      if (depth > 1) out.containers.push(self);
    }
    return bytes;
  }
  return jsonByteLength(node);
}

function valueAt(slot: Slot): unknown {
  return Array.isArray(slot.parent) ? slot.parent[slot.key as number] : slot.parent[slot.key as string];
}

/** Whether the slot still holds its value and every container above it is still in the data. */
function attached(slot: Slot, root: Record<string, unknown>): boolean {
  let s: Slot = slot;
  for (;;) {
    if (valueAt(s) !== s.node) return false;
    if (!s.up) return s.parent === root;
    s = s.up;
  }
}

const byBytesDesc = (a: Slot, b: Slot): number => b.bytes - a.bytes;

/**
 * Cuts one event's data until its serialized size is within `limit`. Order: the largest string
 * leaves (≥ 256 bytes) first; then over-long arrays, keeping a head of items and a marker item;
 * then any string; then nested containers are replaced by a marker string; and last, for data with
 * thousands of keys, a head of the keys is kept with a `"…"` key counting the dropped ones. Fields
 * directly under `data` (tool, parameters, message) keep their type unless nothing else is left.
 */
function shrink(data: Record<string, unknown>, limit: number): { data: Record<string, unknown>; paths: string[] } {
  let root = cloneJson(data) as Record<string, unknown>;
  const cut = new Set<string>();
  let found: Collected = { strings: [], arrays: [], containers: [] };
  let size = collect(root, null, 0, found);
  const record = (slot: Slot) => cut.add(formatJsonPath(pathOf(slot)));

  const cutStrings = (minBytes: number): void => {
    const ranked = found.strings.filter((slot) => slot.bytes >= minBytes).sort(byBytesDesc);
    for (const slot of ranked) {
      if (size <= limit) return;
      if (!attached(slot, root)) continue;
      const value = slot.node;
      if (typeof value !== 'string') continue;
      const bytes = jsonByteLength(value);
      const next = cutString(value, Math.max(0, bytes - (size - limit)));
      const nextBytes = jsonByteLength(next);
      if (nextBytes >= bytes) continue;
      setAt(slot, next);
      size += nextBytes - bytes;
      record(slot);
    }
  };

  const cutArrays = (): void => {
    const ranked = found.arrays.slice().sort(byBytesDesc);
    for (const slot of ranked) {
      if (size <= limit) return;
      if (!attached(slot, root)) continue;
      const arr = slot.node;
      if (!Array.isArray(arr) || arr.length < 2) continue;
      const bytes = jsonByteLength(arr);
      const target = bytes - (size - limit);
      // Keep the longest head that fits with the marker; at least one item.
      let keep = 0;
      let used = 2 + utf8Length(JSON.stringify(arrayTruncationMarker(arr.length)));
      while (keep < arr.length - 1) {
        const itemBytes = jsonByteLength(arr[keep] ?? null) + 1;
        if (used + itemBytes > target && keep >= 1) break;
        used += itemBytes;
        keep++;
      }
      if (keep >= arr.length) continue;
      // In place, so that slots of the kept items stay valid (those of removed items go stale).
      arr.splice(keep, arr.length - keep, arrayTruncationMarker(arr.length - keep));
      size += jsonByteLength(arr) - bytes;
      record(slot);
    }
  };

  const replaceContainers = (): void => {
    const ranked = found.containers.slice().sort(byBytesDesc);
    for (const slot of ranked) {
      if (size <= limit) return;
      // Biggest first, so an ancestor is replaced before its descendants, whose slots then go stale.
      if (!attached(slot, root)) continue;
      const current = slot.node;
      if (typeof current !== 'object' || current === null) continue;
      const bytes = jsonByteLength(current);
      const next = truncationMarker(bytes);
      const nextBytes = jsonByteLength(next);
      if (nextBytes >= bytes) continue;
      setAt(slot, next);
      size += nextBytes - bytes;
      record(slot);
    }
  };

  if (size > limit) cutStrings(MIN_STRING_CUT);
  if (size > limit) cutArrays();
  if (size > limit) {
    // Arrays may have kept items holding big strings that were not in the first ranking.
    found = { strings: [], arrays: [], containers: [] };
    size = collect(root, null, 0, found);
    cutStrings(MIN_STRING_CUT);
  }
  if (size > limit) cutStrings(0);
  if (size > limit) replaceContainers();
  if (size > limit) {
    // Last resort, for data with thousands of keys: keep the fields that say what the event is
    // (an object among them, such as `parameters`, keeps a head of its own keys within half the
    // limit), then a head of the other keys that fits, and a "…" key saying how many were dropped.
    for (const key of ROOT_KEYS) {
      const value = root[key];
      if (typeof value !== 'object' || value === null || Array.isArray(value) || jsonByteLength(value) <= limit / 2) continue;
      setOwnKey(root, key, keepHeadKeys(value as Record<string, unknown>, Math.floor(limit / 2), []));
      cut.add(formatJsonPath(['data', key]));
    }
    root = keepHeadKeys(root, limit, ROOT_KEYS);
    size = jsonByteLength(root);
    cut.add('data');
  }
  return { data: root, paths: [...cut].sort() };
}

/**
 * Cuts events whose serialized `data` exceeds `maxEventBytes` (UTF-8 bytes of `JSON.stringify`,
 * default 10240) so that they fit, and marks each cut event with
 * `truncated: { original_bytes, paths }`. Cut strings end with `…[truncated N bytes]`, cut arrays
 * keep a head of items and end with a `…[truncated N items]` string. The data stays valid JSON and
 * no surrogate pair is split. The input is not mutated.
 *
 * Run `redactTrace` first: redaction replaces each secret whole before any cut, so a cut through
 * the middle of a secret cannot leave a fragment of it behind.
 *
 * `eventsJson` is `JSON.stringify` of each returned event. The size check reads it (an event's
 * `data` is part of the event's JSON, so an event whose whole JSON fits has data that fits), so a
 * caller that stores or hashes the events can use it instead of serializing every event again.
 *
 * @example const { trace: small, report, eventsJson } = truncateTrace(redacted, { maxEventBytes: 10_240 });
 */
export function truncateTrace(
  trace: Trace,
  options: TruncateOptions = {},
): { trace: Trace; report: TruncationReport; eventsJson: string[] } {
  const limit = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const report: TruncationReport = { events: [] };
  const eventsJson: string[] = new Array<string>(trace.events.length);
  const events = trace.events.map((event, index): TraceEvent => {
    const json = JSON.stringify(event);
    eventsJson[index] = json;
    if (serializedBytesAtMost(json, limit)) return event;
    const original = jsonByteLength(event.data);
    if (original <= limit) return event;
    const { data, paths } = shrink(event.data as Record<string, unknown>, limit);
    const finalBytes = jsonByteLength(data);
    report.events.push({ index, original_bytes: original, final_bytes: finalBytes, paths });
    const mark: TruncationMark = { original_bytes: original, paths };
    const cut = { ...event, data, truncated: mark } as TruncatedEvent;
    eventsJson[index] = JSON.stringify(cut);
    return cut;
  });
  if (report.events.length === 0) return { trace, report, eventsJson };
  return { trace: { ...trace, events }, report, eventsJson };
}

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Whether the UTF-8 encoding of a `JSON.stringify` output (no lone surrogates) has at most `limit` bytes. */
function serializedBytesAtMost(json: string, limit: number): boolean {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes; printable ASCII (all JSON.stringify writes below 0x80) takes one.
  if (json.length * 3 <= limit) return true;
  if (json.length > limit) return false;
  return !NOT_PRINTABLE_ASCII.test(json) || utf8Length(json) <= limit;
}
