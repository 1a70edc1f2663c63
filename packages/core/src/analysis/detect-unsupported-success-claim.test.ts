import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectUnsupportedSuccessClaim } from './detect-unsupported-success-claim.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[]) {
  const trace = fixtureTrace(steps);
  return detectUnsupportedSuccessClaim(trace, buildDetectorContext(trace));
}

describe('detectUnsupportedSuccessClaim', () => {
  it('flags a refund claim with no refund call', () => {
    expect(
      run([
        ['user', 'Refund order 42'],
        ['call', 'get_order', { order_id: 42 }, { total: 10 }],
        ['respond', 'Your order has been refunded.'],
      ]),
    ).toEqual([
      {
        pattern: 'unsupported_success_claim',
        category: 'communication_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: [2],
        summary: 'Said "Your order has been refunded" but no tool that could do that was called.',
      },
    ]);
  });

  it('flags a cancellation claim after the cancel call failed', () => {
    const findings = run([
      ['error', 'cancel_order', { order_id: 42 }, 'order already shipped'],
      ['respond', "I've cancelled order 42 for you."],
    ]);
    expect(findings.map((f) => f.summary)).toEqual([
      'Said "I\'ve cancelled" but cancel_order with order_id 42 failed with "order already shipped".',
    ]);
  });

  it('does not flag a claim backed by a successful call, a negated claim, or a plain answer', () => {
    expect(
      run([
        ['call', 'send_email', { to: 'a' }, { ok: true }],
        ['respond', 'I have sent the email.'],
      ]),
    ).toEqual([]);
    expect(run([['respond', 'The email has not been sent yet.']])).toEqual([]);
    expect(run([['respond', 'Refunds take 14 days.']])).toEqual([]);
  });
});
