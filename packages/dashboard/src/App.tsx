import { useEffect, useState } from 'react';
import { api, ApiRequestError } from './api/client';
import { useRoute } from './router';
import { NavBar } from './components/NavBar';
import { LoginView } from './views/LoginView';
import { OverviewView } from './views/OverviewView';
import { TasksView } from './views/TasksView';
import { TaskDetailView } from './views/TaskDetailView';
import { QueuesView } from './views/QueuesView';
import { InstancesView } from './views/InstancesView';
import { RateLimitsView } from './views/RateLimitsView';
import { LiveEventsView } from './views/LiveEventsView';
import { RecurringView } from './views/RecurringView';

type Session = { state: 'checking' } | { state: 'signed-out' } | { state: 'signed-in'; username: string; role: string } | { state: 'unreachable'; message: string };

function View({ route, canAct }: { route: string; canAct: boolean }) {
  const path = route.split('?', 1)[0] ?? '/';
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task?.[1] !== undefined) return <TaskDetailView id={decodeURIComponent(task[1])} canAct={canAct} />;
  switch (path) {
    case '/tasks': return <TasksView canAct={canAct} />;
    case '/recurring': return <RecurringView />;
    case '/queues': return <QueuesView canAct={canAct} />;
    case '/instances': return <InstancesView />;
    case '/rate-limits': return <RateLimitsView />;
    case '/events': return <LiveEventsView />;
    default: return <OverviewView />;
  }
}

const USER_KEY = 'evertask.user';

/** The user of the last login in this tab (the cookie itself cannot be read). */
function rememberedUser(): { username: string; role: string } {
  try {
    const value = JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null') as { username: string; role: string } | null;
    if (value !== null) return value;
  } catch {
    // fall through
  }
  return { username: 'signed in', role: 'admin' };
}

/** Checks the session (the config, then an authenticated call), then shows the login or the app. */
export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'checking' });
  useEffect(() => {
    api.config()
      .then(async (config) => {
        if (!config.requireAuthentication) return setSession({ state: 'signed-in', username: 'anyone', role: 'admin' });
        // the session cookie is HttpOnly: an authenticated call tells whether it is still valid
        const signedIn = await api.engine().then(() => true, (error: unknown) => {
          if (error instanceof ApiRequestError && error.status === 401) return false;
          throw error;
        });
        const remembered = rememberedUser();
        setSession(signedIn ? { state: 'signed-in', username: remembered.username, role: remembered.role } : { state: 'signed-out' });
      })
      .catch((error: unknown) => setSession({ state: 'unreachable', message: error instanceof ApiRequestError ? error.message : 'The monitor does not answer.' }));
  }, []);
  if (session.state === 'checking') return <div className="state state-loading">Loading…</div>;
  if (session.state === 'unreachable') return <div className="state state-error" role="alert">{session.message}</div>;
  if (session.state === 'signed-out') return (
    <LoginView onLoggedIn={(username, role) => {
      sessionStorage.setItem(USER_KEY, JSON.stringify({ username, role }));
      setSession({ state: 'signed-in', username, role });
    }} />
  );
  const signOut = () => void api.logout().finally(() => {
    sessionStorage.removeItem(USER_KEY);
    setSession({ state: 'signed-out' });
  });
  return (
    <div className="app">
      <NavBar route={route} username={session.username} role={session.role} onSignOut={signOut} />
      <main className="content"><View route={route} canAct={session.role === 'admin'} /></main>
    </div>
  );
}
