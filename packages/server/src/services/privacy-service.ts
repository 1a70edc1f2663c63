import {
  DEFAULT_PRIVACY_SETTINGS,
  StepwiseError,
  Trace,
  createRedactor,
  truncateTrace,
  validate,
  validatePrivacySettings,
  type PrivacySettings,
  type Redactor,
} from '@stepwise/core';
import type { AccessStore } from '../store/access-store.js';
import { linearRegex, linearRegexProblem } from './linear-regex.js';

/** Workspace patterns run on RE2: linear time, so no rule can stall the server. */
const REDACTOR_OPTIONS = { regexEngine: linearRegex };

/**
 * Per-workspace privacy settings and their compiled redactors. The settings are read from the
 * workspace row on every request (one primary-key lookup) and compiled only when their text
 * changed, so every process sharing the database applies a change at once.
 */
export class PrivacyService {
  private readonly compiled = new Map<string, { json: string | null; redactor: Redactor }>();

  constructor(private readonly store: AccessStore) {}

  async redactorFor(workspaceId: string): Promise<Redactor> {
    const json = (await this.store.getWorkspace(workspaceId))?.privacy_json ?? null;
    const cached = this.compiled.get(workspaceId);
    if (cached && cached.json === json) return cached.redactor;
    // Stored settings were validated when saved; a default redactor is the safe fallback regardless.
    let redactor: Redactor;
    try {
      redactor = createRedactor(json === null ? DEFAULT_PRIVACY_SETTINGS : (JSON.parse(json) as PrivacySettings), REDACTOR_OPTIONS);
    } catch {
      redactor = createRedactor(DEFAULT_PRIVACY_SETTINGS);
    }
    this.compiled.set(workspaceId, { json, redactor });
    return redactor;
  }

  async settings(workspaceId: string): Promise<PrivacySettings> {
    return (await this.redactorFor(workspaceId)).settings;
  }

  /** Validates and saves new settings; a malformed rule is refused with its path. */
  async update(workspaceId: string, input: unknown): Promise<PrivacySettings> {
    const settings = parseSettings(input);
    await this.store.updateWorkspace(workspaceId, { privacy_json: JSON.stringify(settings) });
    return settings;
  }

  /**
   * What a payload becomes under the workspace's settings (or draft settings), without storing
   * anything: a trace (an object with `events`) is redacted and truncated as at ingest; any other
   * JSON value is redacted.
   */
  async preview(
    workspaceId: string,
    payload: unknown,
    draft?: unknown,
  ): Promise<{ redacted: unknown; report: unknown; truncated_events?: unknown }> {
    const redactor = draft === undefined ? await this.redactorFor(workspaceId) : createRedactor(parseSettings(draft), REDACTOR_OPTIONS);
    if (isTraceLike(payload)) {
      // It claims to be a trace: it must be one, or redaction and truncation would walk garbage.
      const checked = validate(Trace, payload, 'payload');
      if (!checked.ok) {
        throw new StepwiseError('invalid_request', 'the payload has events and a timestamp but is not a valid trace', {
          issues: checked.errors,
        });
      }
      const { trace, report } = redactor.redactTrace(checked.value);
      const truncated = truncateTrace(trace, { maxEventBytes: redactor.settings.max_event_bytes });
      return { redacted: truncated.trace, report, truncated_events: truncated.report.events };
    }
    const { value, report } = redactor.redactValue(payload);
    return { redacted: value, report };
  }
}

function parseSettings(input: unknown): PrivacySettings {
  const checked = validatePrivacySettings(input);
  if (!checked.ok) throw new StepwiseError('invalid_request', 'the privacy settings are invalid', { issues: checked.errors });
  const issues: Array<{ path: string; message: string }> = [];
  checked.value.custom_rules.forEach((rule, i) => {
    const problem = linearRegexProblem(rule.pattern, `${rule.flags ?? ''}g`);
    if (problem) issues.push({ path: `custom_rules[${i}].pattern`, message: `custom rule "${rule.name}": pattern ${problem}` });
  });
  checked.value.allowlist.forEach((entry, i) => {
    const problem = entry.pattern === undefined ? null : linearRegexProblem(`^(?:${entry.pattern})$`, entry.flags ?? '');
    if (problem) issues.push({ path: `allowlist[${i}].pattern`, message: `allowlist pattern ${problem}` });
  });
  if (issues.length > 0) throw new StepwiseError('invalid_request', 'the privacy settings are invalid', { issues });
  return checked.value;
}

function isTraceLike(value: unknown): value is { events: unknown[]; timestamp: string } {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { events?: unknown }).events) &&
    typeof (value as { timestamp?: unknown }).timestamp === 'string'
  );
}
