/**
 * Names the documentation's code blocks use without defining them (checked by
 * scripts/check-doc-snippets.mjs): what a reader's application already has.
 *
 * A global script (no top-level import, so its names are visible in every block), hence the
 * `import()` types.
 */
/* eslint-disable @typescript-eslint/consistent-type-imports */
declare const sendWelcome: import('evertask').TaskDefinition<{ email: string }>;
declare const shipOrder: import('evertask').TaskDefinition<{ orderId: string }>;
declare const cleanup: import('evertask').TaskDefinition<Record<string, never>>;
declare const storage: import('evertask').TaskStorage;
declare const everTask: import('evertask').EverTask;
/** A task id the application holds. */
declare const id: string;
declare const payload: { email: string };
declare const payloads: { email: string }[];
/** A stored task the application built (custom-storage and transaction examples). */
declare const task: import('evertask').NewTask;
declare const orderId: string;
declare const total: number;
declare const users: readonly import('@evertask/monitor').MonitorUser[];
declare const mailer: { send(to: string, options: { signal: AbortSignal }): Promise<void> };
declare const metrics: { observe(name: string, value: number): void };
declare class NetworkError extends Error {}
declare class ValidationError extends Error {}
/** The web frameworks of the monitor's mounting examples, as far as those examples use them. */
declare const honoApp: { route(path: string, app: unknown): unknown };
declare const expressApp: { use(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: () => void) => unknown): unknown };
declare const fastify: {
  all(path: string, handler: (request: { raw: import('node:http').IncomingMessage }, reply: { raw: import('node:http').ServerResponse; hijack(): void }) => unknown): unknown;
};
/** A `pg` client inside the application's own `BEGIN`. */
declare const client: import('pg').PoolClient;

/** The application's own Kysely database and instance (docs/kysely.md, packages/kysely/README.md). */
interface Database {
  users: { id: import('kysely').Generated<number>; email: string };
  orders: { id: string; total: number };
}
declare const db: import('kysely').Kysely<Database>;
declare const order: { id: string; total: number };
declare const pool: import('pg').Pool;
