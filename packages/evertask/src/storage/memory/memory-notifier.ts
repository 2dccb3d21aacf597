import type { StorageNotification } from '../../ports/task-storage.js';

type Listener = (notification: StorageNotification) => void;

/**
 * The wake-ups of a `MemoryStorage`: every engine sharing the instance hears every `notify`,
 * asynchronously, each listener with its own copy; a listener that throws affects nobody.
 */
export class MemoryNotifier {
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => Promise<void> {
    // Wrap so that subscribing one function twice yields two independent subscriptions.
    const entry: Listener = (notification) => listener(notification);
    this.#listeners.add(entry);
    return async () => {
      this.#listeners.delete(entry);
    };
  }

  notify(notification: StorageNotification): void {
    for (const listener of this.#listeners) {
      const copy = { ...notification };
      queueMicrotask(() => {
        try {
          listener(copy);
        } catch {
          // A failing listener must not affect the notifier or the other listeners.
        }
      });
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
