/**
 * `npx tsx --conditions=evertask-source profile/redis-commands.ts [drain|single|single-only]` (in bench/):
 * runs one phase of the Redis suite on a redis-server of its own and prints what the server did
 * for it: `INFO commandstats` (calls and µs per command, the commands inside scripts included) and
 * the server's CPU per task. With `SLOWLOG=1` also the time of each script (from a SLOWLOG of every
 * command, which itself slows the scripts down). For finding Redis work per task; the figures are
 * not the suite's.
 */
import { Redis } from 'ioredis';
import { defineTask, EverTask, newStoredTask, silentLogger, uuidv7 } from 'evertask';
import { RedisStorage } from '@evertask/redis';
import { storageScripts } from '../../packages/redis/src/scripts.js';
import { ThrowawayRedis } from '../../packages/redis/test/throwaway-redis.js';
import { CONCURRENCY, DRAIN, SINGLE, producers } from '../lib/evertask-workload.js';

const phase = process.argv[2] ?? 'drain';
/** Tasks of the phase (`COUNT`, default the suite's; a multiple of 1,000 for the drain). */
const count = Number(process.env.COUNT ?? SINGLE);
const drainCount = Number(process.env.COUNT ?? DRAIN);
const server = new ThrowawayRedis(['--appendonly', 'no']);
await server.start();
const admin = new Redis(server.url);
let handled = 0;
const noop = defineTask({ name: 'noop', handler: async (_payload: { i: number }) => void handled++ });
const storage = new RedisStorage({ url: server.url, prefix: 'bench' });
const engine = new EverTask({ storage, tasks: [noop], logger: silentLogger, queues: { default: { concurrency: CONCURRENCY } }, defaults: { auditLevel: 'none' } });
const cpu = async (): Promise<number> => {
  const info = String(await admin.info('cpu'));
  const s = (n: string) => Number(new RegExp(`${n}:([\\d.]+)`).exec(info)?.[1]);
  return (s('used_cpu_user') + s('used_cpu_sys')) * 1e6;
};
const slowlogOn = async (): Promise<void> => {
  if (process.env.SLOWLOG !== '1') return;
  await admin.config('SET', 'slowlog-max-len', '1000000');
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  await admin.slowlog('RESET');
};
let tasks: number;
let started: number;
let cpu0: number;
let node0: NodeJS.CpuUsage;
if (phase === 'drain') {
  await storage.open();
  const now = Date.now();
  for (let i = 0; i < drainCount; i += 1000) {
    await storage.add(Array.from({ length: 1000 }, (_, j) => newStoredTask({ id: uuidv7(now), name: 'noop', payload: JSON.stringify({ i: i + j }), createdAt: now, auditLevel: 'none' })));
  }
  await admin.config('RESETSTAT');
  await slowlogOn();
  cpu0 = await cpu();
  node0 = process.cpuUsage();
  started = performance.now();
  await engine.start();
  while (handled < drainCount) await new Promise((r) => setTimeout(r, 5));
  tasks = drainCount;
} else {
  await engine.start();
  await admin.config('RESETSTAT');
  await slowlogOn();
  cpu0 = await cpu();
  node0 = process.cpuUsage();
  started = performance.now();
  const options = phase === 'single-only' ? { delay: '1m' } : {};
  await producers(count, (i) => engine.dispatch(noop, { i }, options));
  if (phase === "single") while (handled < count) await new Promise((r) => setTimeout(r, 5));
  tasks = count;
}
const seconds = (performance.now() - started) / 1000;
const nodeCpu = process.cpuUsage(node0);
const redisCpu = (await cpu()) - cpu0;
const stats = String(await admin.info('commandstats'));
await admin.config('SET', 'slowlog-log-slower-than', '-1');
const entries = process.env.SLOWLOG === '1' ? ((await admin.slowlog('GET', -1)) as [number, number, number, string[]][]) : [];
const names = new Map([...storageScripts()].map(([name, s]) => [s.sha, name]));
const byScript = new Map<string, { calls: number; micros: number }>();
for (const [, , micros, args] of entries) {
  if (args[0]?.toLowerCase() !== 'evalsha') continue;
  const name = names.get(args[1] ?? '') ?? '?';
  const e = byScript.get(name) ?? { calls: 0, micros: 0 };
  e.calls++;
  e.micros += micros;
  byScript.set(name, e);
}
await engine.stop({ closeStorage: true });
admin.disconnect();
await server.destroy();
console.log(`${phase}: ${tasks} tasks, ${Math.round(tasks / seconds)}/s, Redis CPU ${(redisCpu / tasks).toFixed(1)} µs/task, this process ${((nodeCpu.user + nodeCpu.system) / tasks).toFixed(1)} µs/task`);
for (const line of stats.split('\n')) {
  const m = /^cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(line.trim());
  if (m) console.log(`  ${m[1]?.padEnd(12)} calls ${m[2]?.padStart(7)}  per task ${(Number(m[2]) / tasks).toFixed(3).padStart(7)}  µs/call ${m[4]?.padStart(8)}  µs/task ${(Number(m[3]) / tasks).toFixed(1).padStart(6)}`);
}
for (const [name, e] of byScript) console.log(`  script ${name.padEnd(10)} calls ${String(e.calls).padStart(6)}  µs/call ${(e.micros / e.calls).toFixed(0).padStart(6)}  µs/task ${(e.micros / tasks).toFixed(1).padStart(6)}`);
