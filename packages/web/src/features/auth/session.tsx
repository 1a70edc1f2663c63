import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, setCsrfToken, setUnauthorizedHandler } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Role, Session } from '../../api/types';
import { navigate } from '../../app/router';

/**
 * `open`: the server has no sign-in (an older server, or auth turned off); everything is allowed.
 * `signed-out`: the server answered 401; the app shows the sign-in page.
 */
export type SessionState =
  { status: 'loading' } | { status: 'open' } | { status: 'signed-in'; session: Session } | { status: 'signed-out' };

const SessionContext = createContext<{ state: SessionState; refresh: () => void }>({
  state: { status: 'loading' },
  refresh: () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setState({ status: 'signed-out' });
      toSignIn();
    });
  }, []);
  useEffect(() => {
    let live = true;
    api.session().then(
      (session) => {
        if (!live) return;
        setCsrfToken(session.csrf_token);
        setState({ status: 'signed-in', session });
      },
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) {
          setState({ status: 'signed-out' });
          toSignIn();
        } else {
          // No session endpoint (404) or an unreachable server: show the dashboard; calls report their own errors.
          setState({ status: 'open' });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [nonce]);
  return <SessionContext.Provider value={{ state, refresh: () => setNonce((n) => n + 1) }}>{children}</SessionContext.Provider>;
}

/** The sign-in page lives at /signin: the server answers /login itself (it redeems login links). */
function toSignIn(): void {
  if (window.location.pathname === '/signin' || window.location.pathname === '/login') return;
  const next = window.location.pathname + window.location.search + window.location.hash;
  navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true });
}

export function useSession() {
  return useContext(SessionContext);
}

export function roleOf(state: SessionState): Role | null {
  if (state.status === 'signed-in') return state.session.role;
  if (state.status === 'open') return 'owner';
  return null;
}

export function canWrite(state: SessionState): boolean {
  const role = roleOf(state);
  return role === 'owner' || role === 'admin' || role === 'member';
}

export function isAdmin(state: SessionState): boolean {
  const role = roleOf(state);
  return role === 'owner' || role === 'admin';
}
