import { href, navigate } from '../router';

const LINKS = [
  { route: '/', label: 'Overview' },
  { route: '/tasks', label: 'Tasks' },
  { route: '/recurring', label: 'Recurring' },
  { route: '/queues', label: 'Queues' },
  { route: '/instances', label: 'Instances' },
  { route: '/rate-limits', label: 'Rate limits' },
  { route: '/events', label: 'Live events' },
];

/** The top bar: the views, the user and sign-out. */
export function NavBar({ route, username, role, onSignOut }: { route: string; username: string; role: string; onSignOut: () => void }) {
  const path = route.split('?', 1)[0] ?? '/';
  return (
    <header className="navbar">
      <span className="brand">EverTask</span>
      <nav aria-label="Views">
        {LINKS.map((link) => {
          const active = link.route === '/' ? path === '/' : path.startsWith(link.route);
          return (
            <a key={link.route} href={href(link.route)} aria-current={active ? 'page' : undefined} onClick={(event) => { event.preventDefault(); navigate(link.route); }}>
              {link.label}
            </a>
          );
        })}
      </nav>
      <span className="user">{username} <span className="muted small">({role})</span></span>
      {username !== 'anyone' && <button type="button" className="link" onClick={onSignOut}>Sign out</button>}
    </header>
  );
}
