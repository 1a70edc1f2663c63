import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { WebhookDelivery } from '../../api/types';
import { ConfirmButton, ErrorBox, Loading } from '../../ui/feedback';
import { formatWhen } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { Link, paths } from '../../app/router';

/** The regression webhook: where to post when a finished run regressed, and what was delivered. */
export function WebhookSettings() {
  const loaded = useAsync(() => Promise.all([api.getWebhook(), api.listWebhookDeliveries()]), []);
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<'json' | 'slack'>('json');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (loaded.status === 'error') return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.status === 'loading') return <Loading />;
  const [{ webhook }, { deliveries }] = loaded.data;
  const save = async () => {
    setError(null);
    setMessage(null);
    try {
      const saved = await api.putWebhook(url.trim(), format);
      setMessage(`Saved: regressions are posted to ${saved.webhook.url} (${saved.webhook.format === 'slack' ? 'Slack text' : 'JSON'}).`);
      setUrl('');
      loaded.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section>
      <h2>Regression webhook</h2>
      <p className="muted small">
        Called once when a run finishes (its batch sync, or <code>POST /api/v1/runs/:id/finish</code> for a streaming run) with regressions
        or a lower pass rate than the newest earlier run of its agent on the same branch. Retried with backoff; syncs never wait for it.
      </p>
      <p>
        {webhook ? (
          <>
            Now: <code>{webhook.url}</code> ({webhook.format === 'slack' ? 'Slack text' : 'JSON'}).{' '}
            <ConfirmButton
              label="Remove"
              className="btn btn-small btn-danger"
              title="Remove the regression webhook?"
              body={<p>Regressions will no longer be posted anywhere.</p>}
              confirmLabel="Remove webhook"
              onConfirm={async () => {
                await api.deleteWebhook();
                loaded.reload();
              }}
            />
          </>
        ) : (
          'No webhook: regressions are not posted anywhere.'
        )}
      </p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void save();
        }}
      >
        <label>
          URL
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://hooks.slack.com/services/…"
            required
          />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as 'json' | 'slack')}>
            <option value="json">JSON (Stepwise payload)</option>
            <option value="slack">Slack-compatible text</option>
          </select>
        </label>
        <div className="filters-end">
          <button type="submit" className="btn btn-primary">
            {webhook ? 'Replace' : 'Save'}
          </button>
        </div>
      </form>
      {message && <p className="ok-text">{message}</p>}
      {error && <p className="error-text">{error}</p>}
      <h3>Recent deliveries</h3>
      <DeliveriesTable deliveries={deliveries} />
    </section>
  );
}

function DeliveriesTable({ deliveries }: { deliveries: WebhookDelivery[] }) {
  if (deliveries.length === 0) return <p className="muted small">None yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>When</th>
            <th>Run</th>
            <th>Why</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last answer</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>{formatWhen(d.created_at)}</td>
              <td>
                <Link to={paths.run(d.run_id)} className="mono small">
                  {d.run_id}
                </Link>
              </td>
              <td>{d.reason}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td className="small">{d.last_error ?? (d.last_status_code !== null ? `HTTP ${d.last_status_code}` : '—')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
