/**
 * Words and "quoted phrases" of a search box, lowercased, in order. Quotes group words into a phrase;
 * an unclosed quote runs to the end.
 *
 * @example parseSearchTerms('refund "3-year warranty"') // ['refund', '3-year warranty']
 */
export function parseSearchTerms(query: string): string[] {
  const terms: string[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(query); m !== null; m = re.exec(query)) {
    const term = (m[1] ?? m[2] ?? '').trim().toLowerCase();
    if (term !== '') terms.push(term);
  }
  return terms;
}

/** The searchable text of an event: every string and number under `data`, space-separated. */
export function eventSearchText(event: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value);
    else if (typeof value === 'number') parts.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  if (event !== null && typeof event === 'object') walk((event as { data?: unknown }).data);
  return parts.join(' ');
}

/**
 * The words around the first place a term occurs in `text` (about `radius` characters each side),
 * or the start of the text when no term occurs literally (the index matched a word form).
 */
export function matchSnippet(text: string, terms: readonly string[], radius = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const lower = flat.toLowerCase();
  let at = -1;
  for (const term of terms) {
    const i = lower.indexOf(term);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return flat.length > radius * 2 ? `${flat.slice(0, radius * 2)}…` : flat;
  const start = Math.max(0, at - radius);
  const end = Math.min(flat.length, at + radius);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}

/** Splits text into pieces, marking those that are a search term (case-insensitive), for highlighting. */
export function highlightTerms(text: string, terms: readonly string[]): Array<{ text: string; match: boolean }> {
  const wanted = terms.filter((t) => t !== '').map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (wanted.length === 0) return [{ text, match: false }];
  const re = new RegExp(`(${wanted.join('|')})`, 'gi');
  // With one capturing group, split puts the matches at the odd positions.
  return text
    .split(re)
    .map((piece, i) => ({ text: piece, match: i % 2 === 1 }))
    .filter((piece) => piece.text !== '');
}
