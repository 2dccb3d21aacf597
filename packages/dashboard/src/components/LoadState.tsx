import type { ReactNode } from 'react';
import type { Resource } from '../api/use-resource';

/**
 * The loading, error and empty states of a view around its content: a spinner line until the
 * first answer, the API's message on failure (with a retry), `empty` when `isEmpty(data)`.
 */
export function LoadState<T>({ resource, isEmpty, empty, children }: {
  resource: Resource<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (resource.error !== undefined && resource.data === undefined) {
    return (
      <div className="state state-error" role="alert">
        <p>Could not load: {resource.error.message}</p>
        <button type="button" onClick={resource.reload}>Try again</button>
      </div>
    );
  }
  if (resource.data === undefined) return <div className="state state-loading" aria-busy="true">Loading…</div>;
  if (isEmpty?.(resource.data)) return <div className="state state-empty">{empty ?? 'Nothing here yet.'}</div>;
  return <>{children(resource.data)}</>;
}
