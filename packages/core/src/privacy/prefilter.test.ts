import { describe, expect, it } from 'vitest';
import { AGENT_TRACE_NEGATIVES, PROJECT_CORPUS } from './corpus/project-corpus.js';
import { BUILTIN_DETECTORS, RULE_FAMILIES, type Hit } from './detectors.js';

// The redactor skips detectors marked `needsDigit` on strings without a digit, and some detectors
// return early when a character their pattern requires is absent. These tests hold those shortcuts
// to "never changes what is found", on every text of the project corpus. (The early returns test for
// a character the detector's own regular expression requires literally: `:` for IPv6, `-`/`_` for
// prefixed keys, `=`/`:` for secret assignments.)
const texts = [
  ...PROJECT_CORPUS.flatMap((rule) => [...rule.tps.map((t) => t.replace(/\[\[|\]\]/g, '')), ...rule.fps]),
  ...AGENT_TRACE_NEGATIVES,
];
const detectors = RULE_FAMILIES.flatMap((family) => BUILTIN_DETECTORS[family]);

describe('redaction prefilters', () => {
  it('marks as needing a digit only detectors whose every hit in the corpus holds a digit', () => {
    const marked = detectors.filter((d) => d.needsDigit === true);
    expect(marked.map((d) => d.rule).sort()).toEqual(['card', 'iban', 'ip', 'phone', 'ssn']);
    let hits = 0;
    for (const d of marked) {
      for (const text of texts) {
        const out: Hit[] = [];
        d.find(text, out);
        for (const hit of out) expect(text.slice(hit.start, hit.end), `${d.rule} in ${JSON.stringify(text)}`).toMatch(/\d/);
        hits += out.length;
      }
    }
    expect(hits).toBeGreaterThan(20);
  });

  it('finds nothing with a digit-needing detector once the digits are gone, so skipping it loses nothing', () => {
    for (const d of detectors.filter((x) => x.needsDigit === true)) {
      for (const text of texts) {
        const out: Hit[] = [];
        d.find(text.replace(/\d/g, ''), out);
        expect(out, `${d.rule} on ${JSON.stringify(text)} without digits`).toEqual([]);
      }
    }
  });
});
