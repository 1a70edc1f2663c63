import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { Role } from '../../api/types';
import { ErrorBox, Loading } from '../../ui/feedback';
import { formatDate } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { roleOf, useSession } from '../auth/session';

export const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];
const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, including owners',
  admin: 'settings, members, keys',
  member: 'sync, read, delete',
  viewer: 'read only',
};

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
      <p className="muted small">{ROLES.map((r) => `${r}: ${ROLE_HELP[r]}`).join(' · ')}</p>
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
