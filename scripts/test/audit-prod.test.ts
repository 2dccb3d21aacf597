import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without declarations
import { auditVerdict } from '../audit-prod.mjs';

const SCRIPT = fileURLToPath(new URL('../audit-prod.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

type Mode = 'no-endpoint' | 'advisory' | 'clean';

/**
 * A local registry answering npm audit's bulk request as the real ones do: 405 (no audit
 * endpoint, as the registry this project installs from), an advisory against `croner` (a
 * production dependency of evertask), or no advisories. npm itself runs against it.
 */
describe('scripts/audit-prod.mjs against a local registry', () => {
  let server: Server;
  let mode: Mode = 'clean';
  let asked: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || !req.url?.includes('/security/advisories/bulk')) return void res.writeHead(404).end();
        if (mode === 'no-endpoint') return void res.writeHead(405, { allow: 'GET,HEAD' }).end();
        asked = Object.keys(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as object);
        const advisory = { id: 1, url: 'https://advisories.invalid/1', title: 'test advisory', severity: 'high', vulnerable_versions: '<1000.0.0', cwe: [], cvss: { score: 0, vectorString: null } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mode === 'advisory' ? { croner: [advisory] } : {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function audit(registry: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [SCRIPT], { cwd: REPO, env: { ...process.env, npm_config_registry: registry }, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), out: `${stdout}${stderr}` });
      });
    });
  }
  const local = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  it('fails on an advisory against a production dependency, naming it', async () => {
    mode = 'advisory';
    const { code, out } = await audit(local());
    expect(code, out).toBe(1);
    expect(out).toMatch(/croner \(high/);
    expect(out).toContain('test advisory');
    // --omit=dev: the dev tools are not sent
    expect(asked).toContain('croner');
    expect(asked).not.toContain('eslint');
  }, 150_000);

  it('passes when the registry knows no advisory', async () => {
    mode = 'clean';
    const { code, out } = await audit(local());
    expect(code, out).toBe(0);
    expect(out).toMatch(/no advisories/);
  }, 150_000);

  it('warns and passes when the registry has no audit endpoint (405) or cannot be reached', async () => {
    mode = 'no-endpoint';
    const missing = await audit(local());
    expect(missing.code, missing.out).toBe(0);
    expect(missing.out).toMatch(/WARNING: the registry's audit endpoint answered HTTP 405: the production dependencies were NOT audited/);
    const closed = await audit('http://127.0.0.1:1/');
    expect(closed.code, closed.out).toBe(0);
    expect(closed.out).toMatch(/could not be reached \(ECONNREFUSED\)/);
  }, 150_000);

  it('treats output it does not understand as a failure, not a pass', () => {
    expect(auditVerdict(undefined).verdict).toBe('error');
    expect(auditVerdict({ message: 'npm ERR! something else' }).verdict).toBe('error');
    expect(auditVerdict({ statusCode: 401, message: 'unauthorised' }).verdict).toBe('error');
  });
});
