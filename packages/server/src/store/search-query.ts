import { parseSearchTerms } from '@stepwise/core';

/**
 * The SQLite FTS5 query for a search box: every word and "quoted phrase" must occur (AND), each
 * quoted so that FTS syntax in user text (AND, NEAR, *, :) is read as words; the last word also
 * matches as a prefix, so a half-typed word finds. Null when the box holds no word.
 *
 * @example ftsMatchQuery('3-year warran') // '"3-year" "warran"*'
 */
export function ftsMatchQuery(text: string): string | null {
  const raw = text.trim();
  const terms = parseSearchTerms(raw);
  if (terms.length === 0) return null;
  const endsInPhrase = raw.endsWith('"');
  return terms
    .map((term, i) => {
      const quoted = `"${term.replace(/"/g, '""')}"`;
      return i === terms.length - 1 && !endsInPhrase && !/\s/.test(term) ? `${quoted}*` : quoted;
    })
    .join(' ');
}
