import { describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from './csv.js';

describe('CSV', () => {
  it('quotes commas, quotes and line breaks and reads them back unchanged', () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\ninside', '', '=1+1'];
    const text = csvLine(cells) + csvLine(['x', null, undefined, 3, true, false, 'é']);
    expect(text.startsWith('plain,"a,b","say ""hi""","two\nlines","crlf\r\ninside",,=1+1\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([cells, ['x', '', '', '3', 'true', 'false', 'é']]);
  });

  it('reads a last line without a line break', () => {
    expect(parseCsv('a,b\r\n1,"2"')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});
