/** Formats a path as `results[2].events[0]["odd key"]`, the way people read JSON paths. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '$' : out;
}

/** Joins a prefix path and a relative one: `joinJsonPath('results[1]', 'trace.events')`. */
export function joinJsonPath(prefix: string, rest: string): string {
  if (rest === '$' || rest === '') return prefix;
  if (prefix === '$' || prefix === '') return rest;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}
