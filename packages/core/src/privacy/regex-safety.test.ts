import { describe, expect, it } from 'vitest';
import { catastrophicBacktrackingReason } from './regex-safety.js';

describe('catastrophicBacktrackingReason', () => {
  it('rejects nested quantifiers', () => {
    for (const p of ['(a+)+', '(a*)*', '(.*)*', '(\\w+\\s?)*$', '(?:x[a-z]+)+y', '((ab)+c)*']) {
      expect(catastrophicBacktrackingReason(p), p).toMatch(/nests a quantifier/);
    }
  });
  it('rejects repeated alternatives that can match the same text', () => {
    for (const p of ['(a|a)*', '(a|ab)+', '(\\d|\\w)*', '(|a)+', '(.|x){2,}']) {
      expect(catastrophicBacktrackingReason(p), p).toMatch(/alternatives can match the same text/);
    }
    expect(catastrophicBacktrackingReason('(A|a)+', true)).toMatch(/alternatives/);
  });
  it('accepts the usual shapes of id and code patterns', () => {
    for (const p of [
      'EMP-\\d{6}',
      '\\b[A-Z]{3}-\\d{4,8}\\b',
      '(?:foo|bar)-\\d+',
      'acct_[0-9a-f]{24}',
      '(ab|cd)*',
      '[a-z]+@corp\\.local',
      '(?<id>X\\d+)',
    ]) {
      expect(catastrophicBacktrackingReason(p), p).toBeNull();
    }
  });
  it('reports unbalanced groups instead of throwing', () => {
    expect(catastrophicBacktrackingReason('(abc')).toMatch(/unmatched/);
  });
});
