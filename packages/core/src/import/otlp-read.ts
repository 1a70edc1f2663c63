import type { ValidationIssue } from '../errors.js';

/**
 * One OpenTelemetry span with its attributes flattened to plain values (OTLP `AnyValue`s become
 * strings, numbers, booleans, arrays and objects), its resource and scope attached.
 */
export interface OtlpSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; timeMs: number; attributes: Record<string, unknown> }>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope?: { name?: string; version?: string };
  /** Where the span was in the request, e.g. `resourceSpans[0].scopeSpans[1].spans[3]`. */
  path: string;
}

export interface OtlpRead {
  spans: OtlpSpan[];
  /** Spans that could not be read, each with the JSON path of what was wrong. */
  rejected: ValidationIssue[];
  /** The request itself is malformed (not an ExportTraceServiceRequest): nothing was read. */
  malformed?: ValidationIssue;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const HEX_TRACE = /^[0-9a-f]{32}$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

/**
 * Reads an OTLP `ExportTraceServiceRequest` in its JSON encoding (OTLP/HTTP JSON: camelCase or
 * snake_case field names, hex ids, 64-bit integers as strings or numbers). The protobuf encoding is
 * decoded by the server into this same shape first, so both go through here.
 *
 * @example
 * const { spans, rejected } = readOtlpTraces(JSON.parse(body));
 */
export function readOtlpTraces(body: unknown): OtlpRead {
  if (!isObj(body)) return { spans: [], rejected: [], malformed: { path: '$', message: 'expected an ExportTraceServiceRequest object' } };
  const resourceSpans = field(body, 'resourceSpans');
  if (resourceSpans === undefined) return { spans: [], rejected: [] };
  if (!Array.isArray(resourceSpans)) return { spans: [], rejected: [], malformed: { path: 'resourceSpans', message: 'expected an array' } };
  const spans: OtlpSpan[] = [];
  const rejected: ValidationIssue[] = [];
  resourceSpans.forEach((rs, i) => {
    const rsPath = `resourceSpans[${i}]`;
    if (!isObj(rs)) return void rejected.push({ path: rsPath, message: 'expected an object' });
    const resourceObj = field(rs, 'resource');
    const resource = isObj(resourceObj) ? attributesOf(field(resourceObj, 'attributes')) : {};
    const scopeSpans = field(rs, 'scopeSpans') ?? [];
    if (!Array.isArray(scopeSpans)) return void rejected.push({ path: `${rsPath}.scopeSpans`, message: 'expected an array' });
    scopeSpans.forEach((ss, j) => {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      if (!isObj(ss)) return void rejected.push({ path: ssPath, message: 'expected an object' });
      const scopeObj = field(ss, 'scope');
      const scope = isObj(scopeObj)
        ? {
            ...(typeof scopeObj.name === 'string' ? { name: scopeObj.name } : {}),
            ...(typeof scopeObj.version === 'string' ? { version: scopeObj.version } : {}),
          }
        : undefined;
      const list = field(ss, 'spans') ?? [];
      if (!Array.isArray(list)) return void rejected.push({ path: `${ssPath}.spans`, message: 'expected an array' });
      list.forEach((raw, k) => {
        const path = `${ssPath}.spans[${k}]`;
        const read = readSpan(raw, path, resource, scope);
        if ('issue' in read) rejected.push(read.issue);
        else spans.push(read.span);
      });
    });
  });
  return { spans, rejected };
}

function readSpan(
  raw: unknown,
  path: string,
  resource: Record<string, unknown>,
  scope: OtlpSpan['scope'],
): { span: OtlpSpan } | { issue: ValidationIssue } {
  if (!isObj(raw)) return { issue: { path, message: 'expected a span object' } };
  const traceId = hexId(field(raw, 'traceId'));
  if (traceId === null || !HEX_TRACE.test(traceId) || /^0+$/.test(traceId)) {
    return { issue: { path: `${path}.traceId`, message: 'expected 32 hex digits, not all zero' } };
  }
  const spanId = hexId(field(raw, 'spanId'));
  if (spanId === null || !HEX_SPAN.test(spanId) || /^0+$/.test(spanId)) {
    return { issue: { path: `${path}.spanId`, message: 'expected 16 hex digits, not all zero' } };
  }
  const parentRaw = field(raw, 'parentSpanId');
  const parent = parentRaw === undefined || parentRaw === '' ? null : hexId(parentRaw);
  if (parent !== null && !HEX_SPAN.test(parent))
    return { issue: { path: `${path}.parentSpanId`, message: 'expected 16 hex digits or empty' } };
  const name = field(raw, 'name');
  if (typeof name !== 'string') return { issue: { path: `${path}.name`, message: 'expected a string' } };
  const startMs = nanosToMs(field(raw, 'startTimeUnixNano'));
  if (startMs === null || startMs <= 0)
    return { issue: { path: `${path}.startTimeUnixNano`, message: 'expected a positive time in nanoseconds' } };
  const endRaw = field(raw, 'endTimeUnixNano');
  const endMs = endRaw === undefined ? startMs : nanosToMs(endRaw);
  if (endMs === null) return { issue: { path: `${path}.endTimeUnixNano`, message: 'expected a time in nanoseconds' } };
  const statusObj = field(raw, 'status');
  const code = isObj(statusObj) ? statusCode(statusObj.code) : 0;
  const message = isObj(statusObj) && typeof statusObj.message === 'string' && statusObj.message !== '' ? statusObj.message : undefined;
  const eventsRaw = field(raw, 'events');
  const events = Array.isArray(eventsRaw)
    ? eventsRaw.filter(isObj).map((e) => ({
        name: typeof e.name === 'string' ? e.name : '',
        timeMs: nanosToMs(field(e, 'timeUnixNano')) ?? startMs,
        attributes: attributesOf(e.attributes),
      }))
    : [];
  const kind = field(raw, 'kind');
  return {
    span: {
      traceId,
      spanId,
      ...(parent !== null && !/^0+$/.test(parent) ? { parentSpanId: parent } : {}),
      name,
      ...(typeof kind === 'number' ? { kind } : {}),
      startMs,
      endMs: Math.max(endMs, startMs),
      attributes: attributesOf(field(raw, 'attributes')),
      events,
      status: { code, ...(message !== undefined ? { message } : {}) },
      resource,
      ...(scope !== undefined ? { scope } : {}),
      path,
    },
  };
}

/** OTLP/JSON allows lowerCamelCase and the proto's snake_case names. */
function field(obj: Obj, camel: string): unknown {
  if (camel in obj) return obj[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return obj[snake];
}

function hexId(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

function statusCode(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'STATUS_CODE_OK') return 1;
  if (value === 'STATUS_CODE_ERROR') return 2;
  return 0;
}

/** Nanoseconds since the epoch (a decimal string or a number) to fractional milliseconds. */
export function nanosToMs(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value / 1e6;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    const whole = value.length > 6 ? Number(value.slice(0, -6)) : 0;
    const frac = value.length > 6 ? Number(value.slice(-6)) : Number(value);
    return whole + frac / 1e6;
  }
  return null;
}

/** OTLP `KeyValue[]` to a plain object; `AnyValue`s become plain values. */
export function attributesOf(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function anyValue(value: unknown): unknown {
  if (!isObj(value)) return null;
  if ('stringValue' in value || 'string_value' in value) return field(value, 'stringValue');
  if ('boolValue' in value || 'bool_value' in value) return field(value, 'boolValue');
  if ('intValue' in value || 'int_value' in value) {
    const n = Number(field(value, 'intValue'));
    return Number.isFinite(n) ? n : null;
  }
  if ('doubleValue' in value || 'double_value' in value) return Number(field(value, 'doubleValue'));
  if ('arrayValue' in value || 'array_value' in value) {
    const arr = field(value, 'arrayValue');
    return isObj(arr) && Array.isArray(arr.values) ? arr.values.map(anyValue) : [];
  }
  if ('kvlistValue' in value || 'kvlist_value' in value) {
    const kv = field(value, 'kvlistValue');
    return isObj(kv) ? attributesOf(kv.values) : {};
  }
  if ('bytesValue' in value || 'bytes_value' in value) return field(value, 'bytesValue');
  return null;
}
