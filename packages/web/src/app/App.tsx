import { LoginPage } from '../features/auth/LoginPage';
import { SessionProvider, useSession } from '../features/auth/session';
import { CompareRunsPage } from '../features/compare/CompareRunsPage';
import { CompareTracesPage } from '../features/compare/CompareTracesPage';
import { RunDetailPage } from '../features/run-detail/RunDetailPage';
import { RunsPage } from '../features/runs/RunsPage';
import { ScenarioHistoryPage } from '../features/scenario-history/ScenarioHistoryPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { TracePage } from '../features/timeline/TracePage';
import { TracesPage } from '../features/traces/TracesPage';
import { DisputedFindingsPage } from '../features/traces/DisputedFindingsPage';
import { Loading } from '../ui/feedback';
import { Layout } from './Layout';
import { Link, paths, useRoute, type Route } from './router';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const route = useRoute();
  const { state } = useSession();
  if (route.name === 'login' || state.status === 'signed-out') return <LoginPage />;
  if (state.status === 'loading') return <Loading label="Starting…" />;
  return (
    <Layout route={route}>
      <View route={route} />
    </Layout>
  );
}

function View({ route }: { route: Route }) {
  switch (route.name) {
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunDetailPage key={route.id} id={route.id} />;
    case 'traces':
      return <TracesPage />;
    case 'disputed':
      return <DisputedFindingsPage />;
    case 'trace':
      return <TracePage key={route.id} id={route.id} event={route.event} />;
    case 'compare-traces':
      return <CompareTracesPage key={`${route.a}|${route.b}`} a={route.a} b={route.b} />;
    case 'compare-runs':
      return <CompareRunsPage key={`${route.base}|${route.head}`} base={route.base} head={route.head} />;
    case 'scenario':
      return <ScenarioHistoryPage key={route.id} id={route.id} />;
    case 'settings':
      return <SettingsPage section={route.section} />;
    case 'login':
      return <LoginPage />;
    case 'not-found':
      return (
        <div className="page">
          <h1>Page not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link to={paths.runs()}>Go to the test runs</Link>.
          </p>
        </div>
      );
  }
}
