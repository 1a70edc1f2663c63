// Test-time access to the labeled PII data in ../shared/data/pii (presidio-research, MIT).
import { readShared } from './shared-data.js';

/** presidio-research's generated records: `[{ full_text, spans: [{ entity_type, start_position, end_position, … }] }]`. */
export function presidioRecords(size: 'small' | 'large'): unknown {
  return JSON.parse(readShared('data', 'pii', `presidio-generated_${size}.json`)) as unknown;
}
