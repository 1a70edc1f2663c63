import {
  DEFAULT_PRIVACY_SETTINGS,
  StepwiseError,
  createRedactor,
  truncateTrace,
  validatePrivacySettings,
  type PrivacySettings,
  type Redactor,
  type Trace,
} from '@stepwise/core';
import type { AccessStore } from '../store/access-store.js';

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
      redactor = createRedactor(json === null ? DEFAULT_PRIVACY_SETTINGS : (JSON.parse(json) as PrivacySettings));
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
    const redactor = draft === undefined ? await this.redactorFor(workspaceId) : createRedactor(parseSettings(draft));
    if (isTraceLike(payload)) {
      const { trace, report } = redactor.redactTrace(payload);
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
  return checked.value;
}

function isTraceLike(value: unknown): value is Trace {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { events?: unknown }).events) &&
    typeof (value as { timestamp?: unknown }).timestamp === 'string'
  );
}
