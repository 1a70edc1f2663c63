import { describe, expect, it } from 'vitest';
import { eventSearchText, highlightTerms, matchSnippet, parseSearchTerms } from './search-text.js';

describe('search text', () => {
  it('splits a search box into words and quoted phrases', () => {
    expect(parseSearchTerms(' Refund  "3-Year warranty" x200 ')).toEqual(['refund', '3-year warranty', 'x200']);
    expect(parseSearchTerms('"unclosed phrase')).toEqual(['unclosed phrase']);
    expect(parseSearchTerms('  ""  ')).toEqual([]);
  });

  it('reads every string and number under data, not the event type or time', () => {
    const event = { type: 'tool_call', timestamp: '2026-01-01T00:00:00Z', data: { tool: 'kb', parameters: { q: 'x' }, result: [7, 'ok'] } };
    expect(eventSearchText(event)).toBe('kb x 7 ok');
  });

  it('cuts the words around the first match', () => {
    const text = `${'a '.repeat(100)}the 3-year warranty applies ${'b '.repeat(100)}`;
    const snippet = matchSnippet(text, ['warranty'], 20);
    expect(snippet).toContain('warranty');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet.length).toBeLessThan(50);
  });

  it('marks the matching pieces for highlighting, whatever their case', () => {
    expect(highlightTerms('Warranty is 3 years; warranty void', ['warranty'])).toEqual([
      { text: 'Warranty', match: true },
      { text: ' is 3 years; ', match: false },
      { text: 'warranty', match: true },
      { text: ' void', match: false },
    ]);
  });
});
