import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { formatTime } from '../format';

/** The engine processes registered on the storage. */
export function InstancesView() {
  const instances = useResource(() => api.instances(), 'instances', 5000);
  return (
    <section>
      <header className="view-header"><h1>Instances</h1></header>
      <LoadState resource={instances} isEmpty={(list) => list.length === 0} empty="No engine is registered on this storage.">
        {(list) => (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th>Instance</th><th>Host / pid</th><th className="wide-only">Started</th><th>Heartbeat</th><th className="wide-only">Queues</th><th>State</th></tr></thead>
              <tbody>
                {list.map((instance) => (
                  <tr key={instance.id}>
                    <td className="mono">{instance.id}{instance.self && <span className="muted small"> (this monitor)</span>}</td>
                    <td>{instance.hostname} / {instance.pid}</td>
                    <td className="wide-only">{formatTime(instance.startedAt)}</td>
                    <td>{formatTime(instance.lastHeartbeatAt)}</td>
                    <td className="wide-only">{instance.queues.join(', ')}</td>
                    <td><span className={`badge ${instance.alive ? 'badge-completed' : 'badge-failed'}`}>{instance.alive ? 'alive' : 'expired'}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </section>
  );
}
