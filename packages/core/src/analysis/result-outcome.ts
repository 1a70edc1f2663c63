import { clip } from './describe.js';
import { parsePythonLiteral } from './python-literal.js';

/**
 * What a tool result amounts to: useful `data`, `empty` (nothing useful: `[]`, `{}`, `""`, `null`,
 * `{articles: []}`, `{results: [], total: 0}`, "No results found"), or an `error` hidden in a
 * successful call (`{status: 401, msg: "Authentication required"}`). `description` is the clause
 * used in summaries: `got 0 results`, `got an empty result`, `got "No articles found"`.
 */
export type ResultOutcome =
  { kind: 'data'; description: string } | { kind: 'empty'; description: string } | { kind: 'error'; description: string; text: string };

const NO_RESULTS_TEXT =
  /\b(?:no (?:results?|matches|matching \w+|records?|data|articles?|items?|entries|documents?|hits|information)(?: (?:were |was )?found)?|not found|nothing (?:was )?found|0 results|zero results|did not return any|returned no)\b/i;
const ERROR_TEXT =
  /^(?:error|exception)\b|\b(?:internal server error|bad request|unauthori[sz]ed|forbidden|rate limit(?:ed)?|too many requests|timed? ?out|service unavailable|authentication required|exceeded \d+ redirects|not authori[sz]ed|invalid api key|access denied|does ?n[o']t exist)\b/i;
const COUNT_KEY = /^(?:total|count|hits|found|size|num_?results|total_?results|total_?count|result_?count|\w*count)$/i;
const ERROR_KEY = /^(?:error|errors|error_message|errormessage|exception)$/i;
const STATUS_KEY = /^(?:status|status_?code|statuscode|http_?status|code)$/i;
const MESSAGE_KEYS = ['message', 'msg', 'detail', 'title', 'error', 'description'];
// Strings longer than this are content in their own right; shorter ones are labels.
const CONTENT_LENGTH = 40;
// Status texts and "not found" messages are short; a long text that mentions them is content.
const SHORT_TEXT = 300;
// Parsing huge strings to classify them costs more than it tells.
const MAX_DECODE = 200_000;

type Cls =
  | { k: 'data' }
  | { k: 'record' }
  | { k: 'scalar' }
  | { k: 'nullish' }
  | { k: 'empty'; zero: boolean; text?: string }
  | { k: 'error'; text: string };

/**
 * Classifies a tool result. Strings that hold JSON or a Python literal are decoded first, so the
 * ToolBench shape `{error: "", response: "{'results': []}"}` reads as empty.
 *
 * @example classifyResult({ articles: [] }) // { kind: 'empty', description: 'got 0 results' }
 */
export function classifyResult(result: unknown): ResultOutcome {
  const cls = classify(result, 0);
  switch (cls.k) {
    case 'data':
    case 'record':
    case 'scalar':
      return { kind: 'data', description: 'got a result' };
    case 'nullish':
      return { kind: 'empty', description: 'got an empty result' };
    case 'empty':
      if (cls.text !== undefined) return { kind: 'empty', description: `got ${quote(cls.text)}` };
      return { kind: 'empty', description: cls.zero ? 'got 0 results' : 'got an empty result' };
    case 'error':
      return { kind: 'error', description: `got the error ${quote(cls.text)}`, text: cls.text };
  }
}

/** Decodes a string holding JSON or a Python literal; other values come back unchanged. */
export function decodeResult(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const s = value.trim();
  if (s.length > MAX_DECODE || !(s.startsWith('{') || s.startsWith('['))) return value;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    const literal = parsePythonLiteral(s);
    return literal === undefined ? value : literal;
  }
}

function classify(value: unknown, depth: number): Cls {
  if (value === null || value === undefined) return { k: 'nullish' };
  if (typeof value === 'number' || typeof value === 'boolean') return { k: 'scalar' };
  if (typeof value === 'string') return classifyString(value, depth);
  if (depth > 20) return { k: 'data' };
  if (Array.isArray(value)) return value.length === 0 ? { k: 'empty', zero: true } : { k: 'data' };
  if (typeof value !== 'object') return { k: 'scalar' };
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return { k: 'empty', zero: false };

  const error = errorSignal(record);
  if (error !== undefined) return { k: 'error', text: error };

  let sawData = false;
  let childError: string | undefined;
  let empty: Cls | undefined;
  let allNullish = true;
  for (const key of keys) {
    const child = record[key];
    if (typeof child === 'number' && child === 0 && COUNT_KEY.test(key)) {
      empty ??= { k: 'empty', zero: true };
      continue;
    }
    const cls = classify(child, depth + 1);
    if (cls.k !== 'nullish') allNullish = false;
    if (cls.k === 'data') sawData = true;
    else if (cls.k === 'error') childError ??= cls.text;
    else if (cls.k === 'empty') empty = empty && empty.k === 'empty' && empty.text !== undefined ? empty : cls;
  }
  if (sawData) return { k: 'data' };
  if (childError !== undefined) return { k: 'error', text: childError };
  if (empty) return empty;
  if (allNullish) return { k: 'empty', zero: false };
  return { k: 'record' };
}

function classifyString(value: string, depth: number): Cls {
  const s = value.trim();
  if (s === '' || s === 'None' || s === 'null' || s === 'undefined') return { k: 'nullish' };
  const decoded = decodeResult(s);
  if (decoded !== s) return classify(decoded, depth + 1);
  if (s.length <= SHORT_TEXT) {
    if (ERROR_TEXT.test(s)) return { k: 'error', text: s };
    if (NO_RESULTS_TEXT.test(s)) return { k: 'empty', zero: false, text: s };
  }
  return s.length >= CONTENT_LENGTH ? { k: 'data' } : { k: 'scalar' };
}

function errorSignal(record: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(record)) {
    if (ERROR_KEY.test(key) && isPresent(value)) return errorText(value);
    if (STATUS_KEY.test(key)) {
      const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : NaN;
      if (code >= 400 && code <= 599) {
        for (const name of MESSAGE_KEYS) {
          const text = record[name];
          if (typeof text === 'string' && text.trim() !== '') return text.trim();
        }
        return `status ${code}`;
      }
    }
  }
  return undefined;
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function errorText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const name of MESSAGE_KEYS) {
      const text = record[name];
      if (typeof text === 'string' && text.trim() !== '') return text.trim();
    }
  }
  return JSON.stringify(value) ?? 'error';
}

function quote(text: string): string {
  return `"${clip(text.replace(/\s+/g, ' '), 60)}"`;
}
