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

/**
 * The words of a text as SQLite's unicode61 tokenizer (remove_diacritics 2) reads them: runs of
 * letters and digits, lowercased, accents removed. PostgreSQL indexes and queries these words, so
 * both backends find the same events.
 *
 * @example searchWords('Café 3-year_plan') // ['cafe', '3', 'year', 'plan']
 */
export function searchWords(text: string): string[] {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * The PostgreSQL tsquery (read as `::tsquery`) for a search box, with the meaning of
 * {@link ftsMatchQuery}: every word and "quoted phrase" must occur (`&`), a phrase's words in order
 * (`<->`), and the last word also as a prefix (`:*`). Null when the box holds no word. Lexemes hold
 * only letters and digits, so user text cannot inject tsquery operators.
 *
 * @example tsQuery('refund "3-year warranty" exp') // "'refund' & ('3' <-> 'year' <-> 'warranty') & 'exp':*"
 */
export function tsQuery(text: string): string | null {
  const raw = text.trim();
  const terms = parseSearchTerms(raw);
  const endsInPhrase = raw.endsWith('"');
  const parts: string[] = [];
  terms.forEach((term, i) => {
    const words = searchWords(term);
    if (words.length === 0) return;
    const prefix = i === terms.length - 1 && !endsInPhrase && !/\s/.test(term);
    const lexemes = words.map((w, j) => `'${w}'${prefix && j === words.length - 1 ? ':*' : ''}`);
    parts.push(lexemes.length > 1 ? `(${lexemes.join(' <-> ')})` : lexemes[0]!);
  });
  return parts.length === 0 ? null : parts.join(' & ');
}

/**
 * PostgreSQL refuses a tsvector over 1 MB, which a large event of many distinct words would exceed
 * (each lexeme costs several bytes besides its text): the words it indexes stop here.
 */
export const PG_SEARCH_MAX_BYTES = 200_000;

/** The words of an event's text that PostgreSQL indexes: {@link searchWords}, up to {@link PG_SEARCH_MAX_BYTES}. */
function pgSearchWords(text: string): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (const word of searchWords(text)) {
    bytes += Buffer.byteLength(word) + 1;
    if (bytes > PG_SEARCH_MAX_BYTES) break;
    kept.push(word);
  }
  return kept;
}

/** {@link pgSearchWords} as one space-separated text (what `to_tsvector` would be given). */
export function pgSearchText(text: string): string {
  return pgSearchWords(text).join(' ');
}

// PostgreSQL's limits on a tsvector: a lexeme of at most 2047 bytes (longer words are not indexed and
// take no position), at most 255 positions per lexeme, and no position above 16383.
const PG_MAX_LEXEME_BYTES = 2047;
const PG_MAX_POSITIONS = 255;
const PG_MAX_POSITION = 16383;

/**
 * The tsvector of an event's text as PostgreSQL input (`'refund':1,4 'year':3`): the words of
 * {@link pgSearchWords} with their positions, built here rather than by `to_tsvector`, whose parser
 * costs most of an event's insert and drops characters SQLite's tokenizer keeps (`x²`). Queries
 * are built from the same words ({@link tsQuery}, read as `::tsquery`), so both backends find the
 * same events. For the letters and digits PostgreSQL's parser reads as words it equals
 * `to_tsvector('simple', pgSearchText(text))`.
 *
 * @example pgSearchVector('Refund the refund') // "'refund':1,3 'the':2"
 */
export function pgSearchVector(text: string): string {
  const positions = new Map<string, number[]>();
  let position = 0;
  for (const word of pgSearchWords(text)) {
    if (Buffer.byteLength(word) > PG_MAX_LEXEME_BYTES) continue;
    position = Math.min(position + 1, PG_MAX_POSITION);
    const list = positions.get(word);
    if (list === undefined) positions.set(word, [position]);
    else if (list.length < PG_MAX_POSITIONS && list[list.length - 1] !== position) list.push(position);
  }
  return [...positions].map(([word, list]) => `'${word.replace(/'/g, "''")}':${list.join(',')}`).join(' ');
}
