import { z } from 'zod';
import type { ValidationIssue } from '../errors.js';
import { validate } from '../trace/validate.js';
import { RULE_FAMILIES, type RuleFamily } from './detectors.js';
import { catastrophicBacktrackingReason } from './regex-safety.js';

/** The default per-event limit for truncation: 10 KB of serialized `data`. */
export const DEFAULT_MAX_EVENT_BYTES = 10_240;

const ALLOWED_FLAGS = /^[imsu]*$/;

function compileProblem(pattern: string, flags: string): string | null {
  if (!ALLOWED_FLAGS.test(flags) || new Set(flags).size !== flags.length) {
    return 'flags may only contain i, m, s and u, each at most once (g and y are added as needed)';
  }
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return `does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
  const shape = catastrophicBacktrackingReason(pattern, flags.includes('i'));
  if (shape) return `${shape}; it could stall ingestion, so rewrite it without nested or overlapping repetition`;
  if (new RegExp(pattern, flags).test('')) return 'matches the empty string; it must match at least one character';
  return null;
}

const RuleName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, _ or -, e.g. "employee-id"');

/** A workspace's own rule: every match of `pattern` is replaced with `<LABEL_n>`. */
export const CustomRule = z
  .object({
    name: RuleName,
    pattern: z.string().min(1).max(2000),
    flags: z.string().max(4).optional(),
    label: z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be uppercase letters, digits and _, starting with a letter, e.g. EMPLOYEE_ID'),
  })
  .superRefine((rule, ctx) => {
    const problem = compileProblem(rule.pattern, rule.flags ?? '');
    if (problem) {
      const where = problem.startsWith('flags') ? 'flags' : 'pattern';
      ctx.addIssue({ code: 'custom', path: [where], message: `custom rule "${rule.name}": pattern ${problem}` });
    }
  });
export type CustomRule = z.infer<typeof CustomRule>;

/** A value that is never redacted: an exact `value`, or a `pattern` the whole value must match. */
export const AllowlistEntry = z
  .object({
    value: z.string().min(1).max(1000).optional(),
    pattern: z.string().min(1).max(2000).optional(),
    flags: z.string().max(4).optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.value === undefined) === (entry.pattern === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "value" (an exact string) or "pattern" (a regex)' });
      return;
    }
    if (entry.pattern !== undefined) {
      const problem = compileProblem(entry.pattern, entry.flags ?? '');
      if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `allowlist pattern ${problem}` });
    }
  });
export type AllowlistEntry = z.infer<typeof AllowlistEntry>;

const familyShape = Object.fromEntries(RULE_FAMILIES.map((f) => [f, z.boolean().default(true)])) as Record<
  RuleFamily,
  z.ZodDefault<z.ZodBoolean>
>;

const RuleToggles = z.object(familyShape);

/**
 * A workspace's privacy settings. Every field has a default, so `PrivacySettings.parse({})` is
 * the default configuration: every rule family on, no custom rules, an empty allowlist and a
 * 10240-byte truncation limit.
 *
 * @example PrivacySettings.parse({ rules: { phone: false }, allowlist: [{ value: 'support@acme.com' }] })
 */
export const PrivacySettings = z
  .object({
    rules: RuleToggles.default(RuleToggles.parse({})),
    custom_rules: z.array(CustomRule).max(100).default([]),
    allowlist: z.array(AllowlistEntry).max(1000).default([]),
    max_event_bytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(DEFAULT_MAX_EVENT_BYTES),
  })
  .superRefine((settings, ctx) => {
    const seen = new Set<string>(RULE_FAMILIES);
    settings.custom_rules.forEach((rule, index) => {
      if (seen.has(rule.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['custom_rules', index, 'name'],
          message: `custom rule "${rule.name}": name is already used by ${(RULE_FAMILIES as readonly string[]).includes(rule.name) ? 'a built-in rule' : 'another custom rule'}`,
        });
      }
      seen.add(rule.name);
    });
  });
export type PrivacySettings = z.infer<typeof PrivacySettings>;
export type PrivacySettingsInput = z.input<typeof PrivacySettings>;

/** Every rule family on, no custom rules, empty allowlist, 10240-byte events. */
export const DEFAULT_PRIVACY_SETTINGS: PrivacySettings = Object.freeze(PrivacySettings.parse({}));

/**
 * Validates settings as sent by the settings API. Errors name the path, e.g.
 * `custom_rules[1].pattern: custom rule "badge": pattern nests a quantifier inside a repeated group…`.
 *
 * @example const r = validatePrivacySettings(body); if (!r.ok) reply(400, r.errors);
 */
export function validatePrivacySettings(input: unknown): { ok: true; value: PrivacySettings } | { ok: false; errors: ValidationIssue[] } {
  return validate(PrivacySettings, input);
}
