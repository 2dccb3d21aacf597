import type { TaskStorage } from 'evertask';
import type { ThrowawayServer } from '../throwaway-server.js';
import type { ChaosBackend } from './chaos-run.js';

/**
 * The chaos backend of a network storage on a throwaway server: starts it; the workers connect to
 * the proxy's port (`workerStorage` gets the server's URL with that port), the run's reads go to the
 * server directly; a server restart is its crash and restart; closing removes it.
 */
export async function throwawayBackend<S>(
  server: ThrowawayServer,
  workerStorage: (url: string) => S,
  readStorage: (url: string) => TaskStorage,
): Promise<ChaosBackend<S>> {
  await server.start();
  const onPort = (port: number) => {
    const url = new URL(server.url);
    url.port = String(port);
    return url.toString();
  };
  return {
    target: { host: '127.0.0.1', port: server.port },
    workerStorage: (port) => workerStorage(onPort(port ?? server.port)),
    readStorage: () => readStorage(server.url),
    restartServer: () => server.restart(),
    close: () => server.destroy(),
  };
}
