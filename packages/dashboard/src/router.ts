import { useEffect, useState } from 'react';

/** The path the monitor serves the page under (its <base href>), without the trailing slash. */
const basePath = new URL(document.baseURI).pathname.replace(/\/$/, '');

/** The app's current route: the location's path below basePath, always starting with '/'. */
function currentRoute(): string {
  const path = window.location.pathname.startsWith(basePath) ? window.location.pathname.slice(basePath.length) : window.location.pathname;
  return (path === '' ? '/' : path) + window.location.search;
}

const listeners = new Set<() => void>();

/** Goes to an app route like '/tasks/abc' (pushes a history entry). */
export function navigate(route: string): void {
  window.history.pushState(null, '', basePath + route);
  for (const listener of listeners) listener();
}

/** The full address of an app route, for links. */
export function href(route: string): string {
  return basePath + route;
}

/** The current route, re-rendering on navigation and on back/forward. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
