import type { ReactNode } from 'react';
import { api } from '../api/endpoints';
import { isAdmin, useSession } from '../features/auth/session';
import { Link, navigate, paths, type Route } from './router';

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  const { state } = useSession();
  const section =
    route.name === 'settings'
      ? 'settings'
      : route.name === 'login'
        ? ''
        : route.name === 'traces' || route.name === 'trace'
          ? 'traces'
          : route.name === 'disputed'
            ? 'disputed'
            : 'runs';
  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      navigate('/signin', { replace: true });
      window.location.reload();
    }
  };
  return (
    <div className={`app ${route.name === 'trace' ? 'app-fixed' : ''}`}>
      <header className="topbar">
        <Link to={paths.runs()} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </Link>
        <nav className="topnav" aria-label="Main">
          <Link to={paths.runs()} aria-current={section === 'runs' ? 'page' : undefined}>
            Test runs
          </Link>
          <Link to={paths.traces()} aria-current={section === 'traces' ? 'page' : undefined}>
            Traces
          </Link>
          <Link to={paths.disputed()} aria-current={section === 'disputed' ? 'page' : undefined}>
            Disputed
          </Link>
          {isAdmin(state) && (
            <Link to={paths.settings()} aria-current={section === 'settings' ? 'page' : undefined}>
              Settings
            </Link>
          )}
        </nav>
        <div className="topbar-end">
          {state.status === 'signed-in' && (
            <>
              <span className="who" title={`${state.session.workspace.name} · ${state.session.role}`}>
                {state.session.user?.name ?? 'API key'} <span className="muted">· {state.session.workspace.name}</span>
              </span>
              <button type="button" className="btn btn-small" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <main className="main">{children}</main>
    </div>
  );
}
