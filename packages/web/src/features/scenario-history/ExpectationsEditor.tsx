import { Expectations, validate } from '@stepwise/core';
import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import { formatDate } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { canWrite, useSession } from '../auth/session';

const EXAMPLE = { tools: ['search_knowledge_base'], order: 'in_order', response_contains: ['warranty'] };

/**
 * A scenario's stored expectations, editable as JSON and checked against the expectations schema
 * before saving (each save is a new version; re-run the analysis to apply it to stored traces).
 */
export function ExpectationsEditor({ scenarioId }: { scenarioId: string }) {
  const { state } = useSession();
  const stored = useAsync(() => api.getScenario(scenarioId), [scenarioId]);
  const current = stored.data?.expectations ?? null;
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setText(JSON.stringify(current?.expectations ?? EXAMPLE, null, 2)), [current]);
  const writable = canWrite(state);

  const save = async () => {
    setSaved(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      setErrors([`Not valid JSON: ${(e as Error).message}`]);
      return;
    }
    const checked = validate(Expectations, parsed, 'expectations');
    if (!checked.ok) {
      setErrors(checked.errors.map((e) => `${e.path}: ${e.message}`));
      return;
    }
    try {
      const version = await api.putScenario(scenarioId, checked.value);
      setErrors([]);
      setSaved(`Saved as version ${version.version}. Re-run the analysis of a trace or run to apply it.`);
      stored.reload();
    } catch (e) {
      setErrors([(e as Error).message]);
    }
  };

  return (
    <section className="expectations-editor" aria-label="Expectations">
      <h2>Expectations</h2>
      <p className="muted small">
        {current
          ? `Version ${current.version}, saved ${formatDate(current.created_at)}${current.created_by ? ` by ${current.created_by}` : ''}.`
          : 'None stored yet: results are checked only against what they carry inline. The example below is not saved.'}
      </p>
      <textarea
        aria-label="Expectations as JSON"
        className="mono"
        rows={8}
        value={text}
        readOnly={!writable}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
      />
      {writable && (
        <button type="button" className="btn btn-primary" onClick={() => void save()}>
          Save expectations
        </button>
      )}
      {errors.length > 0 && (
        <ul className="error-text small" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {saved && (
        <p className="ok-text small" role="status">
          {saved}
        </p>
      )}
    </section>
  );
}
