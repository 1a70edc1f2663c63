import { normalizePlaceholders } from './event-signature.js';

const WORD = /[\p{L}\p{N}<>_]+/gu;

/** The set of words that carry meaning: lower case, three letters or more, or any number. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const match of normalizePlaceholders(text).toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (word.length >= 3 || /\d/.test(word)) words.add(word);
  }
  return words;
}

/**
 * Token-set (Jaccard) similarity of two texts, from 0 (no word in common) to 1 (same words).
 * Rewording keeps most content words; a different answer does not.
 *
 * @example textSimilarity('Refunds within 14 days.', 'Refunds are possible within 14 days.') // ≈ 0.67
 */
export function textSimilarity(a: string, b: string): number {
  const wa = contentWords(a);
  const wb = contentWords(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let common = 0;
  for (const word of wa) if (wb.has(word)) common++;
  return common / (wa.size + wb.size - common);
}
