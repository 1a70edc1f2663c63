import { describe, expect, it } from 'vitest';
import { isFiltered, readTracesQuery, toTracesParams } from './trace-filters';

describe('Traces page filters', () => {
  it('reads every filter from the URL and ignores an unknown verdict or range', () => {
    const q = readTracesQuery('?q=3-year%20warranty&agent=bot&run=none&tool=search_kb&model=gpt-4o&verdict=maybe&range=1y');
    expect(q).toMatchObject({
      q: '3-year warranty',
      agent: 'bot',
      run: 'none',
      tool: 'search_kb',
      model: 'gpt-4o',
      verdict: '',
      range: 'all',
    });
    expect(isFiltered(q)).toBe(true);
    expect(isFiltered(readTracesQuery(''))).toBe(false);
  });

  it('turns the filters into API parameters, with time ranges as instants', () => {
    const now = Date.parse('2026-03-13T12:00:00Z');
    const params = toTracesParams(readTracesQuery('?q=refund&run=none&verdict=failed&range=24h'), now);
    expect(params).toEqual({ limit: 50, q: 'refund', run: 'none', verdict: 'failed', since: '2026-03-12T12:00:00.000Z' });
    const custom = toTracesParams(readTracesQuery('?range=custom&from=2026-03-01&to=2026-03-02'), now);
    expect(Date.parse(String(custom.until)) - Date.parse(String(custom.since))).toBe(2 * 86_400_000 - 1);
  });
});
