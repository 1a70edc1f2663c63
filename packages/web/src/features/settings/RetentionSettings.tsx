import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import { ErrorBox, Loading } from '../../ui/feedback';
import { useAsync } from '../../ui/use-async';

export function RetentionSettings() {
  const loaded = useAsync(() => api.getRetention(), []);
  const [days, setDays] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (loaded.data) setDays(loaded.data.retention_days === null ? '' : String(loaded.data.retention_days));
  }, [loaded.data]);
  if (loaded.status === 'error') return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.status === 'loading') return <Loading />;
  const save = async () => {
    setError(null);
    try {
      const value = Number(days);
      if (!Number.isInteger(value) || value < 1 || value > 3650) {
        setError('Enter a whole number of days from 1 to 3650.');
        return;
      }
      const result = await api.putRetention(value);
      setMessage(`Traces older than ${result.retention_days} days are deleted on a schedule (pinned traces are kept).`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form
      className="settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Retention</h2>
      <p className="muted small">
        How long traces are kept. {loaded.data.retention_days === null ? 'Now: until deleted.' : `Now: ${loaded.data.retention_days} days.`}
      </p>
      <label className="block">
        Keep traces for (days)
        <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} placeholder="e.g. 90" required />
      </label>
      {message && <p className="ok-text">{message}</p>}
      {error && <p className="error-text">{error}</p>}
      <button type="submit" className="btn btn-primary">
        Save
      </button>
    </form>
  );
}
