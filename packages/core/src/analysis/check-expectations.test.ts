import { describe, expect, it } from 'vitest';
import { checkExpectations, countSteps } from './check-expectations.js';
import { fixtureTrace } from './trace-fixture.js';

const trace = fixtureTrace([
  ['user', 'Cancel order 42 and email me'],
  ['think', 'look it up first'],
  ['call', 'lookup_order', { order_id: 42, request_id: 'r-1' }, { status: 'open' }],
  ['call', 'cancel_order', { order_id: 42, reason: 'customer request' }, { ok: true }],
  ['call', 'send_email', { to: 'me', subject: 'Cancelled' }, { sent: true }],
  ['respond', 'Order 42 has been cancelled and you will get an email.'],
]);

describe('checkExpectations: tools and order', () => {
  it('returns no checks when every expectation holds (failures only are listed)', () => {
    expect(checkExpectations(trace, { tools: ['lookup_order', 'cancel_order', 'send_email'], order: 'strict' })).toEqual([]);
  });

  it('reports a missing tool with no event indexes', () => {
    const [check, ...rest] = checkExpectations(trace, { tools: ['lookup_order', 'refund_order'] });
    expect(rest).toEqual([]);
    expect(check).toMatchObject({
      kind: 'missing_tool',
      passed: false,
      event_indexes: [],
      message: 'refund_order was expected but never called.',
    });
  });

  it('counts repeated expected tools', () => {
    const [check] = checkExpectations(trace, { tools: ['send_email', 'send_email'] });
    expect(check?.message).toBe('send_email was expected 2 times but called 1 time.');
  });

  it('allows extra calls in in_order mode (the default) but not in strict mode', () => {
    expect(checkExpectations(trace, { tools: ['lookup_order', 'send_email'] })).toEqual([]);
    const strict = checkExpectations(trace, { tools: ['lookup_order', 'send_email'], order: 'strict' });
    expect(strict.map((c) => [c.kind, c.event_indexes])).toEqual([['extra_tool', [3]]]);
  });

  it('reports reordered tools in in_order mode and ignores order in any mode', () => {
    const expectations = { tools: ['send_email', 'cancel_order'] };
    const [check] = checkExpectations(trace, expectations);
    expect(check).toMatchObject({ kind: 'reordered_tools', event_indexes: [3, 4] });
    expect(check?.message).toBe('send_email was expected before cancel_order, but cancel_order was called first (event 3, then event 4).');
    expect(checkExpectations(trace, { ...expectations, order: 'any' })).toEqual([]);
  });

  it('reports forbidden tools with every call index', () => {
    const [check] = checkExpectations(trace, { forbidden_tools: ['cancel_order'] });
    expect(check).toMatchObject({ kind: 'forbidden_tool', event_indexes: [3] });
  });
});

describe('checkExpectations: parameters', () => {
  it('matches a subset of parameters by default, numbers by value', () => {
    expect(checkExpectations(trace, { tools: [{ name: 'cancel_order', parameters: { order_id: 42.0 } }] })).toEqual([]);
  });

  it('says which key is wrong, with expected and actual values', () => {
    const [check] = checkExpectations(trace, { tools: [{ name: 'cancel_order', parameters: { order_id: 43 } }] });
    expect(check).toMatchObject({ kind: 'wrong_parameters', event_indexes: [3] });
    expect(check?.message).toBe('cancel_order was called with order_id 42 where 43 was expected (event 3).');
    expect(check?.details?.mismatches).toEqual([{ path: 'order_id', reason: 'different', expected: 43, actual: 42 }]);
  });

  it('compares strings exactly: "42" is not 42', () => {
    const [check] = checkExpectations(trace, { tools: [{ name: 'cancel_order', parameters: { order_id: '42' } }] });
    expect(check?.kind).toBe('wrong_parameters');
  });

  it('in exact mode reports unexpected keys, and ignore_keys skips ids at any depth', () => {
    const exact = { name: 'lookup_order', parameters: { order_id: 42 }, match: 'exact' as const };
    const [check] = checkExpectations(trace, { tools: [exact] });
    expect(check?.message).toBe('lookup_order was called with an unexpected request_id "r-1" (event 2).');
    expect(checkExpectations(trace, { tools: [exact], ignore_keys: ['request_id'] })).toEqual([]);
    expect(checkExpectations(trace, { tools: [{ ...exact, ignore_keys: ['request_id'] }] })).toEqual([]);
  });

  it('ignores parameters entirely in ignore mode', () => {
    const tools = [{ name: 'cancel_order', parameters: { order_id: 1 } }];
    expect(checkExpectations(trace, { tools, parameter_match: 'ignore' })).toEqual([]);
  });

  it('prefers the call whose parameters match when a tool is called twice', () => {
    const twice = fixtureTrace([
      ['call', 'search', { q: 'wrong' }, []],
      ['call', 'search', { q: 'right' }, ['hit']],
      ['respond', 'hit'],
    ]);
    expect(checkExpectations(twice, { tools: [{ name: 'search', parameters: { q: 'right' } }] })).toEqual([]);
  });
});

describe('checkExpectations: budgets and response text', () => {
  it('counts tool calls, tool errors, reasoning and responses as steps', () => {
    expect(countSteps(trace)).toBe(5);
    expect(checkExpectations(trace, { max_steps: 5 })).toEqual([]);
    const [check] = checkExpectations(trace, { max_steps: 4 });
    expect(check).toMatchObject({ kind: 'step_budget_exceeded', event_indexes: [5], details: { steps: 5, max_steps: 4 } });
  });

  it('reports a tool budget overrun at the first call over the budget', () => {
    const [check] = checkExpectations(trace, { max_tool_calls: 2 });
    expect(check).toMatchObject({ kind: 'tool_budget_exceeded', event_indexes: [4] });
    expect(check?.message).toContain('call 3 is send_email');
  });

  it('matches response text case-insensitively unless case_sensitive is set', () => {
    expect(checkExpectations(trace, { response_contains: ['HAS BEEN CANCELLED'] })).toEqual([]);
    const [check] = checkExpectations(trace, { response_contains: ['HAS BEEN CANCELLED'], case_sensitive: true });
    expect(check).toMatchObject({ kind: 'response_missing_text', event_indexes: [5] });
  });

  it('reports forbidden response text at the responses that contain it', () => {
    const [check] = checkExpectations(trace, { response_not_contains: ['email'] });
    expect(check).toMatchObject({ kind: 'response_forbidden_text', event_indexes: [5] });
  });

  it('reports required text as missing when there is no response at all', () => {
    const silent = fixtureTrace([['user', 'hi']]);
    const [check] = checkExpectations(silent, { response_contains: ['hello'] });
    expect(check).toMatchObject({ kind: 'response_missing_text', event_indexes: [] });
  });
});

describe('checkExpectations with repeated and exact tools', () => {
  const twoUpdates = fixtureTrace([
    ['user', 'change both'],
    ['call', 'update_item', { id: 'B', size: 2 }, { ok: true }],
    ['call', 'update_item', { id: 'A', size: 1 }, { ok: true }],
    ['respond', 'Both updated.'],
  ]);
  const expectedAB = [
    { name: 'update_item', parameters: { id: 'A', size: 1 } },
    { name: 'update_item', parameters: { id: 'B', size: 2 } },
  ];

  it('pairs repeated expected calls by best match, not position: calls in another order are only reordered', () => {
    expect(checkExpectations(twoUpdates, { tools: expectedAB, order: 'any' })).toEqual([]);
    expect(checkExpectations(twoUpdates, { tools: expectedAB }).map((c) => c.kind)).toEqual(['reordered_tools']);
  });

  it('reports one missing call and no wrong parameters when one of three is missing', () => {
    const tools = [...expectedAB, { name: 'update_item', parameters: { id: 'C', size: 3 } }];
    const checks = checkExpectations(twoUpdates, { tools, order: 'any' });
    expect(checks.map((c) => c.kind)).toEqual(['missing_tool']);
    expect(checks[0]?.message).toBe('update_item was expected 3 times but called 2 times: none with id "C" (expected call 3 of 3).');
  });

  it('gives each unmatched expected call its own message', () => {
    const none = fixtureTrace([
      ['user', 'x'],
      ['respond', 'done'],
    ]);
    const messages = checkExpectations(none, { tools: expectedAB }).map((c) => c.message);
    expect(new Set(messages).size).toBe(2);
  });

  it('reports a call of an exact_tools tool that is not one of the listed calls', () => {
    const checks = checkExpectations(twoUpdates, { tools: [expectedAB[0]!], exact_tools: ['update_item'] });
    expect(checks.map((c) => [c.kind, c.event_indexes])).toEqual([['extra_tool', [1]]]);
    expect(checks[0]?.message).toContain('is not one of the listed calls of that tool (exact_tools)');
    expect(checkExpectations(twoUpdates, { tools: [expectedAB[0]!] })).toEqual([]);
  });

  it('does not fail a forbidden call that failed, unless attempts count', () => {
    const attempt = fixtureTrace([
      ['user', 'x'],
      ['error', 'delete_item', { id: 'A' }, 'not allowed'],
      ['respond', 'I could not delete it.'],
    ]);
    expect(checkExpectations(attempt, { forbidden_tools: ['delete_item'] })).toEqual([]);
    expect(checkExpectations(attempt, { forbidden_tools: ['delete_item'], forbidden_attempts_fail: true }).map((c) => c.kind)).toEqual([
      'forbidden_tool',
    ]);
  });
});
