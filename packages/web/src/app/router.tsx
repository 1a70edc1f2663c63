import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/** Every view of the dashboard has a URL; this is the parsed form of one. */
export type Route =
  | { name: 'runs' }
  | { name: 'run'; id: string }
  | { name: 'traces' }
  | { name: 'disputed' }
  | { name: 'trace'; id: string; event: number | null }
  | { name: 'compare-traces'; a: string; b: string }
  | { name: 'compare-runs'; base: string; head: string }
  | { name: 'scenario'; id: string }
  | { name: 'settings'; section: string }
  | { name: 'login' }
  | { name: 'not-found'; path: string };

const NAVIGATE_EVENT = 'stepwise:navigate';

export function parseRoute(pathname: string, search: string, hash: string): Route {
  const params = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0) return { name: 'runs' };
  if (first === 'runs' && parts.length === 1) return { name: 'runs' };
  if (first === 'runs' && second && parts.length === 2) return { name: 'run', id: second };
  if (first === 'traces' && parts.length === 1) return { name: 'traces' };
  if (first === 'findings' && second === 'disputed' && parts.length === 2) return { name: 'disputed' };
  if (first === 'traces' && second && parts.length === 2) {
    const fromHash = /^#event-(\d+)$/.exec(hash)?.[1];
    const raw = fromHash ?? params.get('event');
    const event = raw !== null && raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
    return { name: 'trace', id: second, event };
  }
  if (first === 'compare' && parts.length === 1) return { name: 'compare-traces', a: params.get('a') ?? '', b: params.get('b') ?? '' };
  if (first === 'compare' && second === 'runs' && parts.length === 2) {
    return { name: 'compare-runs', base: params.get('base') ?? '', head: params.get('head') ?? '' };
  }
  if (first === 'scenarios' && second && parts.length === 2) return { name: 'scenario', id: second };
  if (first === 'settings' && parts.length <= 2) return { name: 'settings', section: second ?? 'privacy' };
  if ((first === 'signin' || first === 'login') && parts.length === 1) return { name: 'login' };
  void third;
  return { name: 'not-found', path: pathname };
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(NAVIGATE_EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(NAVIGATE_EVENT, callback);
  };
}

const snapshot = () => window.location.pathname + window.location.search + window.location.hash;

/** The current URL (path + query + hash), re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: string; hash: string; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search, hash: url.hash, href };
}

export function useRoute(): Route {
  const location = useLocation();
  return parseRoute(location.pathname, location.search, location.hash);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Updates query parameters of the current URL in place (filters are part of the URL). */
export function setSearchParams(update: Record<string, string | undefined>, options: { replace?: boolean } = { replace: true }): void {
  const params = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const search = params.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`, options);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children?: ReactNode };

/** An anchor that navigates in-app on a plain click and behaves as a link otherwise (new tab, copy). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

export const paths = {
  runs: () => '/runs',
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
  traces: (search = '') => `/traces${search}`,
  disputed: () => '/findings/disputed',
  trace: (id: string, event?: number | null) =>
    `/traces/${encodeURIComponent(id)}${event !== undefined && event !== null ? `#event-${event}` : ''}`,
  compareTraces: (a: string, b: string) => `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
  compareRuns: (base: string, head: string) => `/compare/runs?base=${encodeURIComponent(base)}&head=${encodeURIComponent(head)}`,
  scenario: (id: string) => `/scenarios/${encodeURIComponent(id)}`,
  settings: (section = 'privacy') => `/settings/${section}`,
  login: () => '/signin',
};
