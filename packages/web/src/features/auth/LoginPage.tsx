import { useState, type FormEvent } from 'react';
import { navigate } from '../../app/router';
import { useSession } from './session';

/**
 * The sign-in page. Stepwise signs people in with one-time links (as Jupyter does): the server prints
 * one when it starts, and `stepwise login-link` prints a new one.
 */
export function LoginPage() {
  const { state } = useSession();
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  const params = new URLSearchParams(window.location.search);
  const next = params.get('next');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = link.trim();
    const token = /[?&]token=([^&\s#]+)/.exec(text)?.[1] ?? (/^[\w.~-]+$/.test(text) ? text : null);
    if (!token) {
      setError('Paste the whole link (it contains “/login?token=”) or just the token.');
      return;
    }
    // A full page load: the server checks the token, sets the session cookie and redirects.
    window.location.assign(`/login?token=${encodeURIComponent(decodeURIComponent(token))}`);
  };

  return (
    <div className="login-page">
      <div className="login-card">
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Sign in to Stepwise
        </h1>
        {state.status === 'signed-in' ? (
          <>
            <p>You are signed in as {state.session.user?.name ?? 'an API key'}.</p>
            <button type="button" className="btn btn-primary" onClick={() => navigate(next ?? '/runs')}>
              Continue
            </button>
          </>
        ) : (
          <>
            <p>Stepwise signs you in with a one-time login link. To get one:</p>
            <ol className="login-steps">
              <li>
                Look at the terminal where the server runs: on first start it prints a line with <code>http://…/login?token=…</code>.
              </li>
              <li>
                Or ask for a new link on the server machine: <code>npx stepwise login-link</code>
              </li>
              <li>Open the link in this browser. It works once and signs you in for this browser.</li>
            </ol>
            <form onSubmit={submit} className="login-form">
              <label htmlFor="login-link">Or paste the link here</label>
              <div className="row">
                <input
                  id="login-link"
                  value={link}
                  onChange={(e) => setLink(e.target.value)}
                  placeholder="http://127.0.0.1:4319/login?token=…"
                />
                <button type="submit" className="btn btn-primary">
                  Sign in
                </button>
              </div>
              {error && <p className="error-text">{error}</p>}
            </form>
            <p className="muted small">
              Scripts and CI use an API key instead: send <code>Authorization: Bearer sw_…</code>.
            </p>
          </>
        )}
      </div>
    </div>
  );
}
