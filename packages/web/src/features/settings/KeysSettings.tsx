import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { Role } from '../../api/types';
import { CopyButton } from '../../ui/CopyButton';
import { ConfirmButton, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatWhen } from '../../ui/format';
import { useAsync } from '../../ui/use-async';

export function KeysSettings() {
  const keys = useAsync(() => api.listKeys(), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (keys.status === 'error') return <ErrorBox error={keys.error} onRetry={keys.reload} />;
  if (keys.status === 'loading') return <Loading />;
  const create = async () => {
    setError(null);
    try {
      const result = await api.createKey(name.trim(), role);
      setCreated({ name: result.name, key: result.key });
      setName('');
      keys.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section>
      <h2>API keys</h2>
      <p className="muted small">
        Scripts, CI and the SDK authenticate with <code>Authorization: Bearer sw_…</code>. A key is shown once, when it is created; Stepwise
        keeps only its hash.
      </p>
      {created && (
        <div className="new-key" role="status">
          <strong>New key “{created.name}”.</strong> Copy it now: it will not be shown again.
          <div className="row">
            <code className="key-value" data-testid="new-key">
              {created.key}
            </code>
            <CopyButton text={() => created.key} />
          </div>
          <button type="button" className="btn btn-link" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </div>
      )}
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void create();
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. GitHub Actions" required />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="member">member (sync and read)</option>
            <option value="viewer">viewer (read only)</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <div className="filters-end">
          <button type="submit" className="btn btn-primary">
            Create key
          </button>
        </div>
      </form>
      {error && <p className="error-text">{error}</p>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Role</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.keys.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No keys yet.
                </td>
              </tr>
            )}
            {keys.data.keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td className="mono small">{k.display ?? k.id}</td>
                <td>{k.role}</td>
                <td>{formatDate(k.created_at)}</td>
                <td>{k.last_used_at ? formatWhen(k.last_used_at) : 'never'}</td>
                <td>
                  {k.revoked_at ? (
                    <span className="muted small">revoked {formatWhen(k.revoked_at)}</span>
                  ) : (
                    <ConfirmButton
                      label="Revoke"
                      className="btn btn-small btn-danger"
                      title={`Revoke “${k.name}”?`}
                      body={<p>Anything using this key stops working at once.</p>}
                      confirmLabel="Revoke key"
                      onConfirm={async () => {
                        await api.revokeKey(k.id);
                        keys.reload();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
