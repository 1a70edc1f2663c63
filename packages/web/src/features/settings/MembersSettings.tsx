import { describeRole, PERMISSION_LABELS } from '@stepwise/core';
import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { Role } from '../../api/types';
import { ErrorBox, Loading } from '../../ui/feedback';
import { formatDate } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { roleOf, useSession } from '../auth/session';

export const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];

/** What each role may and may not do, generated from the permission table the server enforces. */
export function RoleHelp() {
  return (
    <dl className="role-help small" data-testid="role-help">
      {ROLES.map((role) => {
        const { can, cannot } = describeRole(role);
        return (
          <div key={role} data-role={role}>
            <dt>{role}</dt>
            <dd>
              can {can.map((p) => PERMISSION_LABELS[p]).join('; ')}
              {cannot.length > 0 && <span className="muted"> · cannot {cannot.map((p) => PERMISSION_LABELS[p]).join('; ')}</span>}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function AddMember({ grantable, onAdded }: { grantable: Role[]; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    try {
      await api.addMember({ name: name.trim(), role, ...(email.trim() ? { email: email.trim() } : {}), ...(password ? { password } : {}) });
      setAdded(name.trim());
      setName('');
      setEmail('');
      setPassword('');
      onAdded();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form
      className="filters add-member"
      aria-label="Add a member"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label>
        E-mail (optional)
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password (optional, 12+ characters)
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} minLength={12} autoComplete="new-password" />
      </label>
      <label>
        Role
        <select aria-label="Role of the new member" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {grantable.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-primary" disabled={!name.trim()}>
        Add member
      </button>
      {added && (
        <p className="small ok-text" role="status">
          Added {added}. They sign in with the password set here, or with a link from <code>stepwise login-link</code>.
        </p>
      )}
      {error && <p className="error-text">{error}</p>}
    </form>
  );
}

export function MembersSettings() {
  const { state } = useSession();
  const members = useAsync(() => api.listMembers(), []);
  const [error, setError] = useState<string | null>(null);
  if (members.status === 'error') return <ErrorBox error={members.error} onRetry={members.reload} />;
  if (members.status === 'loading') return <Loading />;
  const me = state.status === 'signed-in' ? (state.session.user?.id ?? null) : null;
  const myRole = roleOf(state);
  const change = async (userId: string, role: Role) => {
    setError(null);
    try {
      await api.setMemberRole(userId, role);
      members.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section>
      <h2>Members and roles</h2>
      <RoleHelp />
      {myRole === 'owner' && <AddMember grantable={ROLES} onAdded={members.reload} />}
      {error && <p className="error-text">{error}</p>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Joined</th>
            </tr>
          </thead>
          <tbody>
            {members.data.members.map((m) => (
              <tr key={m.user_id}>
                <td>
                  {m.name} {m.user_id === me && <span className="badge badge-muted">you</span>}
                  {m.email && <div className="muted small">{m.email}</div>}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${m.name}`}
                    value={m.role}
                    disabled={m.user_id === me || (m.role === 'owner' && myRole !== 'owner')}
                    onChange={(e) => void change(m.user_id, e.target.value as Role)}
                  >
                    {ROLES.filter((r) => r !== 'owner' || myRole === 'owner').map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                    {m.role === 'owner' && myRole !== 'owner' && <option>owner</option>}
                  </select>
                </td>
                <td>{m.created_at ? formatDate(m.created_at) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
