// Wording shared by checks and findings, so every sentence quotes values the same way.

const MAX_QUOTE = 60;

// Parameters people name a call by, most telling first.
const KEY_PARAMETER_NAMES = [
  'query',
  'q',
  'search',
  'search_query',
  'term',
  'keyword',
  'keywords',
  'question',
  'command',
  'path',
  'file_name',
  'url',
  'id',
  'order_id',
  'reference',
  'name',
  'text',
];

/** A value as it appears in a sentence: strings in double quotes, cut to ~60 characters. */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return `"${clip(value.replace(/\s+/g, ' ').trim(), MAX_QUOTE)}"`;
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return clip(json, MAX_QUOTE);
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The one parameter that best names a call, e.g. `query "refund policy"`; `undefined` when none. */
export function keyParameter(parameters: Record<string, unknown> | undefined): string | undefined {
  if (!parameters) return undefined;
  const keys = Object.keys(parameters);
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  for (const name of KEY_PARAMETER_NAMES) {
    const key = lower.get(name);
    if (key !== undefined && isPlain(parameters[key])) return `${key} ${quoteValue(parameters[key])}`;
  }
  for (const key of keys) {
    if (isPlain(parameters[key])) return `${key} ${quoteValue(parameters[key])}`;
  }
  return undefined;
}

/** `search_kb with query "refund policy"`, or `search_kb with no parameters`. */
export function describeCall(tool: string, parameters: Record<string, unknown> | undefined): string {
  const key = keyParameter(parameters);
  if (key !== undefined) return `${tool} with ${key}`;
  if (!parameters || Object.keys(parameters).length === 0) return `${tool} with no parameters`;
  return tool;
}

/** `a`, `a and b`, `a, b and c`. */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function isPlain(value: unknown): boolean {
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number' || typeof value === 'boolean';
}
