import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { AllowlistEntry, CustomRule, PrivacySettings } from '../../api/types';
import { ErrorBox, Loading } from '../../ui/feedback';
import { humanize } from '../../ui/format';
import { JsonViewer } from '../../ui/JsonViewer';
import { useAsync } from '../../ui/use-async';

const SAMPLE = JSON.stringify(
  { message: 'Hi, I am jane.doe@example.com, card 4111 1111 1111 1111, call +1 415 555 0100.', api_key: 'sk-live-abcdefghijklmnop1234' },
  null,
  2,
);

export function PrivacySettingsForm() {
  const loaded = useAsync(() => api.getPrivacy(), []);
  const [draft, setDraft] = useState<PrivacySettings | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [allowlistText, setAllowlistText] = useState('');
  useEffect(() => {
    if (loaded.data) {
      setDraft(structuredClone(loaded.data));
      setAllowlistText(formatAllowlist(loaded.data.allowlist));
    }
  }, [loaded.data]);

  if (loaded.status === 'error') return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (!draft) return <Loading />;

  const update = (next: Partial<PrivacySettings>) => {
    setDraft({ ...draft, ...next });
    setSaved(null);
  };
  const setRule = (i: number, rule: Partial<CustomRule>) =>
    update({ custom_rules: draft.custom_rules.map((r, j) => (j === i ? { ...r, ...rule } : r)) });
  const invalidRule = draft.custom_rules.findIndex((r) => !isValidRegex(r.pattern, r.flags));
  const save = async () => {
    setSaveError(null);
    try {
      const result = await api.putPrivacy(draft);
      setDraft(structuredClone(result));
      setAllowlistText(formatAllowlist(result.allowlist));
      setSaved('Saved. New traces are redacted with these rules.');
    } catch (e) {
      setSaveError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="settings-grid">
      <form
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>What is redacted</h2>
        <p className="muted small">
          Redaction runs before anything is stored. Placeholders like &lt;EMAIL_1&gt; stay the same within a trace.
        </p>
        <fieldset className="families">
          <legend>Built-in detectors</legend>
          {Object.entries(draft.rules).map(([family, on]) => (
            <label key={family} className="check">
              <input type="checkbox" checked={on} onChange={(e) => update({ rules: { ...draft.rules, [family]: e.target.checked } })} />
              {humanize(family)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Custom rules</legend>
          {draft.custom_rules.length === 0 && <p className="muted small">No custom rules.</p>}
          {draft.custom_rules.map((rule, i) => (
            <div key={i} className="rule-row">
              <input aria-label="Rule name" placeholder="name" value={rule.name} onChange={(e) => setRule(i, { name: e.target.value })} />
              <input
                aria-label="Pattern (regular expression)"
                placeholder="pattern, e.g. ORD-\d{5}"
                className={`mono ${isValidRegex(rule.pattern, rule.flags) ? '' : 'is-invalid'}`}
                value={rule.pattern}
                onChange={(e) => setRule(i, { pattern: e.target.value })}
              />
              <input
                aria-label="Flags"
                placeholder="flags"
                className="mono narrow"
                value={rule.flags ?? ''}
                onChange={(e) => setRule(i, { flags: e.target.value })}
              />
              <input
                aria-label="Placeholder label"
                placeholder="LABEL"
                className="mono"
                value={rule.label}
                onChange={(e) => setRule(i, { label: e.target.value.toUpperCase() })}
              />
              <button
                type="button"
                className="btn btn-small"
                onClick={() => update({ custom_rules: draft.custom_rules.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => update({ custom_rules: [...draft.custom_rules, { name: '', pattern: '', label: 'CUSTOM' }] })}
          >
            Add rule
          </button>
        </fieldset>
        <label className="block">
          Allowlist (one value per line, or /pattern/flags; never redacted)
          <textarea
            rows={3}
            value={allowlistText}
            onChange={(e) => {
              setAllowlistText(e.target.value);
              update({ allowlist: parseAllowlist(e.target.value) });
            }}
          />
        </label>
        <label className="block">
          Largest event kept whole (bytes)
          <input
            type="number"
            min={1024}
            step={1024}
            value={draft.max_event_bytes}
            onChange={(e) => update({ max_event_bytes: Number(e.target.value) })}
          />
        </label>
        {invalidRule >= 0 && <p className="error-text">Rule {invalidRule + 1} is not a valid regular expression.</p>}
        {saveError && <p className="error-text">{saveError}</p>}
        {saved && <p className="ok-text">{saved}</p>}
        <button type="submit" className="btn btn-primary" disabled={invalidRule >= 0}>
          Save rules
        </button>
      </form>
      <PrivacyPreview settings={draft} />
    </div>
  );
}

function isValidRegex(pattern: string, flags?: string): boolean {
  if (pattern === '') return false;
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

/** Shows what the (unsaved) rules do to a sample payload, as you type. */
function PrivacyPreview({ settings }: { settings: PrivacySettings }) {
  const [text, setText] = useState(SAMPLE);
  const [result, setResult] = useState<{ redacted: unknown; report: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        // plain text is a fine payload too
      }
      api.previewPrivacy(payload, settings).then(
        (r) => {
          setResult(r);
          setError(null);
        },
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [text, settings]);
  return (
    <section className="preview" aria-label="Live preview">
      <h2>Live preview</h2>
      <label className="block">
        Sample payload (JSON or text)
        <textarea rows={8} className="mono" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {error && <p className="error-text">{error}</p>}
      {result && (
        <>
          <JsonViewer label="Stored as" value={result.redacted} />
          <JsonViewer label="Report" value={result.report} openDepth={1} />
        </>
      )}
    </section>
  );
}

/** One entry per line: a plain value, or `/pattern/flags` for a pattern. */
function parseAllowlist(text: string): AllowlistEntry[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const pattern = /^\/(.+)\/([a-z]*)$/.exec(line);
      return pattern ? { pattern: pattern[1]!, ...(pattern[2] ? { flags: pattern[2] } : {}) } : { value: line };
    });
}

function formatAllowlist(entries: AllowlistEntry[]): string {
  return entries.map((e) => ('value' in e ? e.value : `/${e.pattern}/${e.flags ?? ''}`)).join('\n');
}
