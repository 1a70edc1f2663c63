// Test-time access to the labeled PII data in fixtures/pii (presidio-research, MIT; the large set gzipped, whole).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fixturePath, readFixture } from './fixtures.js';

/** presidio-research's generated records: `[{ full_text, spans: [{ entity_type, start_position, end_position, … }] }]`. */
export function presidioRecords(size: 'small' | 'large'): unknown {
  const text =
    size === 'small'
      ? readFixture('pii', 'presidio-generated_small.json')
      : gunzipSync(readFileSync(fixturePath('pii', 'presidio-generated_large.json.gz'))).toString('utf8');
  return JSON.parse(text) as unknown;
}

/**
 * The project's own labeled set for the PII classes a review found slipping through (cards outside
 * the known prefixes after "card"/"cc", phones on the line after "Phone:", short local numbers
 * after "call me at"/"answering at"/"registered"), with negatives from agent traces. Same record
 * shape as presidio's; written for Stepwise, not derived from presidio.
 */
export function heldOutClassRecords(): unknown {
  return JSON.parse(readFixture('pii', 'held-out-classes.json')) as unknown;
}
