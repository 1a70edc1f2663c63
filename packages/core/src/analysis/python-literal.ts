/**
 * Parses the Python `repr` of dicts and lists (`{'a': [1, None], 'ok': True}`) that many tool
 * wrappers put into string results. Returns `undefined` when the text is not such a literal.
 * Only literals: no calls, no expressions. Deliberately small; JSON is tried first by callers.
 */
export function parsePythonLiteral(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    parser.skipSpace();
    const value = parser.value(0);
    parser.skipSpace();
    return parser.atEnd() ? value : undefined;
  } catch {
    return undefined;
  }
}

const MAX_DEPTH = 64;

class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new Error('too deep');
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === '{') return this.dict(depth);
    if (ch === '[' || ch === '(') return this.list(depth, ch === '[' ? ']' : ')');
    if (ch === "'" || ch === '"') return this.string(ch);
    const word = /^(None|True|False|null|true|false)\b/.exec(this.text.slice(this.pos, this.pos + 6));
    if (word) {
      this.pos += word[1]!.length;
      return word[1] === 'None' || word[1] === 'null' ? null : word[1] === 'True' || word[1] === 'true';
    }
    const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 40));
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    throw new Error(`unexpected ${ch ?? 'end'}`);
  }

  private dict(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw new Error('expected :');
      this.pos++;
      out[String(key)] = this.value(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') throw new Error('expected , or }');
    }
  }

  private list(depth: number, close: string): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) throw new Error(`expected , or ${close}`);
    }
  }

  private string(quote: string): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === quote) {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1] ?? '';
        this.pos += 2;
        if (next === 'n') out += '\n';
        else if (next === 't') out += '\t';
        else if (next === 'r') out += '\r';
        else if (next === 'u' || next === 'x') {
          const len = next === 'u' ? 4 : 2;
          const hex = this.text.slice(this.pos, this.pos + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Error('bad escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += len;
        } else out += next;
        continue;
      }
      out += ch;
      this.pos++;
    }
    throw new Error('unterminated string');
  }
}
