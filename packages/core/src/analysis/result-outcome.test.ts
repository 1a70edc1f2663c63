import { describe, expect, it } from 'vitest';
import { parsePythonLiteral } from './python-literal.js';
import { classifyResult } from './result-outcome.js';

describe('classifyResult', () => {
  it.each([
    [{ articles: [] }, 'got 0 results'],
    [{ results: [], total: 0, query: 'refund' }, 'got 0 results'],
    [[], 'got 0 results'],
    [{}, 'got an empty result'],
    [null, 'got an empty result'],
    ['No articles found', 'got "No articles found"'],
  ])('reads %j as empty', (result, description) => {
    expect(classifyResult(result)).toEqual({ kind: 'empty', description });
  });

  it('reads data as data, including a record of scalars', () => {
    expect(classifyResult({ articles: [{ title: 'Refund Policy' }] }).kind).toBe('data');
    expect(classifyResult({ id: 'ACT', codePostal: '98800' }).kind).toBe('data');
    expect(classifyResult({ error: '', response: "{'id': 'ACT', 'codePostal': '98800'}" }).kind).toBe('data');
    expect(classifyResult('Digital products are eligible for a refund within 14 days.').kind).toBe('data');
  });

  it('finds errors hidden in successful results', () => {
    expect(classifyResult({ error: '', response: '{"status":"401","msg":"Authentication required"}' })).toMatchObject({
      kind: 'error',
      text: 'Authentication required',
    });
    expect(classifyResult({ error: { message: 'quota exceeded' } })).toMatchObject({ kind: 'error', text: 'quota exceeded' });
  });
});

describe('parsePythonLiteral', () => {
  it('parses dicts, lists, tuples, None, True and escapes', () => {
    expect(parsePythonLiteral("{'a': [1, None, True], 'b': (2.5, 'it\\'s'), \"c\": {}}")).toEqual({
      a: [1, null, true],
      b: [2.5, "it's"],
      c: {},
    });
  });

  it('returns undefined for anything that is not a literal', () => {
    expect(parsePythonLiteral("{'a': os.system('x')}")).toBeUndefined();
    expect(parsePythonLiteral('[1, 2')).toBeUndefined();
  });
});
