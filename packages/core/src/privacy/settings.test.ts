import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY_SETTINGS, PrivacySettings, validatePrivacySettings } from './settings.js';

describe('PrivacySettings', () => {
  it('defaults to every family on, no custom rules, an empty allowlist and 10240-byte events', () => {
    expect(PrivacySettings.parse({})).toEqual(DEFAULT_PRIVACY_SETTINGS);
    expect(Object.values(DEFAULT_PRIVACY_SETTINGS.rules).every((on) => on)).toBe(true);
    expect(Object.keys(DEFAULT_PRIVACY_SETTINGS.rules)).toHaveLength(11);
    expect(DEFAULT_PRIVACY_SETTINGS.custom_rules).toEqual([]);
    expect(DEFAULT_PRIVACY_SETTINGS.allowlist).toEqual([]);
    expect(DEFAULT_PRIVACY_SETTINGS.max_event_bytes).toBe(10240);
  });

  it('keeps other families on when one is switched off', () => {
    const s = PrivacySettings.parse({ rules: { phone: false } });
    expect(s.rules.phone).toBe(false);
    expect(s.rules.email).toBe(true);
  });
});

describe('validatePrivacySettings', () => {
  it('accepts valid custom rules and allowlist entries', () => {
    const r = validatePrivacySettings({
      custom_rules: [{ name: 'employee-id', pattern: 'EMP-\\d{6}', label: 'EMPLOYEE_ID' }],
      allowlist: [{ value: 'support@acme.com' }, { pattern: '.*@acme\\.com', flags: 'i' }],
    });
    expect(r.ok).toBe(true);
  });

  it('names the rule and path of a pattern that does not compile', () => {
    const r = validatePrivacySettings({
      custom_rules: [
        { name: 'ok', pattern: 'X\\d+', label: 'X' },
        { name: 'broken', pattern: '(unclosed', label: 'BROKEN' },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.path).toBe('custom_rules[1].pattern');
    expect(r.errors[0]?.message).toMatch(/custom rule "broken": pattern does not compile/);
  });

  it('rejects patterns prone to catastrophic backtracking with a message naming the rule', () => {
    for (const pattern of ['(a+)+$', '(a|a)*', '(.*)*x']) {
      const r = validatePrivacySettings({ custom_rules: [{ name: 'slow', pattern, label: 'SLOW' }] });
      expect(r.ok, pattern).toBe(false);
      if (r.ok) continue;
      expect(r.errors[0]?.path).toBe('custom_rules[0].pattern');
      expect(r.errors[0]?.message).toMatch(/custom rule "slow": pattern .*(nests a quantifier|alternatives can match).*stall ingestion/);
    }
  });

  it('rejects bad flags, labels, empty-matching patterns and duplicate or built-in names', () => {
    const r = validatePrivacySettings({
      custom_rules: [
        { name: 'a', pattern: 'x', flags: 'g', label: 'A' },
        { name: 'b', pattern: 'x', label: 'lower' },
        { name: 'c', pattern: 'x*', label: 'C' },
        { name: 'email', pattern: 'y', label: 'E' },
        { name: 'd', pattern: 'z', label: 'D' },
        { name: 'd', pattern: 'w', label: 'D2' },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'custom_rules[0].flags',
        'custom_rules[1].label',
        'custom_rules[2].pattern',
        'custom_rules[3].name',
        'custom_rules[5].name',
      ]),
    );
    expect(r.errors.find((e) => e.path === 'custom_rules[3].name')?.message).toMatch(/built-in rule/);
  });

  it('requires exactly one of value or pattern in an allowlist entry and checks its pattern', () => {
    const r = validatePrivacySettings({ allowlist: [{}, { value: 'a', pattern: 'b' }, { pattern: '(x+)+' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['allowlist[0]', 'allowlist[1]', 'allowlist[2].pattern']);
  });

  it('rejects a truncation limit below 1024 bytes', () => {
    const r = validatePrivacySettings({ max_event_bytes: 100 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('max_event_bytes');
  });
});
