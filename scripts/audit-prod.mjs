#!/usr/bin/env node
// `npm audit --omit=dev` that tells "not audited" from "clean": fails (exit 1) on any advisory
// against a production dependency; when the registry does not serve the audit endpoint (it answers
// 404/405/5xx, or cannot be reached) says so loudly and exits 0 — the dependencies were NOT
// audited, and the warning says where to run it. Any other failure of npm exits 2.
//
// Usage: node scripts/audit-prod.mjs [extra npm audit arguments]   (called by .ci/run)
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** HTTP answers of a registry that has no audit endpoint (or none working now). */
const UNAVAILABLE_STATUS = new Set([404, 405, 501, 502, 503, 504]);
/** Network errors of an unreachable registry. */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * What npm audit's JSON output means: `{ verdict: 'clean' | 'advisories' | 'unavailable' | 'error', lines }`.
 * `report` is the parsed JSON (undefined when npm printed none).
 */
export function auditVerdict(report) {
  if (report === undefined || report === null || typeof report !== 'object') {
    return { verdict: 'error', lines: ['npm audit printed no JSON report.'] };
  }
  const counts = report.metadata?.vulnerabilities;
  if (counts !== undefined && typeof counts === 'object') {
    const found = Object.values(report.vulnerabilities ?? {});
    if (found.length === 0) return { verdict: 'clean', lines: ['npm audit --omit=dev: no advisories against the production dependencies.'] };
    const lines = [`npm audit --omit=dev: ${found.length} production dependencies have advisories:`];
    for (const v of found) {
      const titles = (v.via ?? []).map((via) => (typeof via === 'string' ? `through ${via}` : `${via.title ?? 'advisory'} ${via.url ?? ''}`.trim()));
      lines.push(`  ${v.name} (${v.severity}, ${v.range || 'all versions'}): ${titles.join('; ')}`);
    }
    lines.push('Update the dependency (npm audit fix --omit=dev, or a new version in package.json) and commit the lock file.');
    return { verdict: 'advisories', lines };
  }
  const status = Number(report.statusCode ?? report.error?.statusCode);
  // a network failure comes back as a message only: "request to … failed, reason: connect ECONNREFUSED …"
  const code = report.code ?? report.error?.code ?? [...UNREACHABLE_CODES].find((c) => String(report.message ?? '').includes(c));
  if (UNAVAILABLE_STATUS.has(status) || UNREACHABLE_CODES.has(code)) {
    const why = Number.isFinite(status) && status > 0 ? `answered HTTP ${status}` : `could not be reached (${code})`;
    return {
      verdict: 'unavailable',
      lines: [
        `WARNING: the registry's audit endpoint ${why}: the production dependencies were NOT audited.`,
        'Run `node scripts/audit-prod.mjs` where the public npm registry is reachable (or set npm_config_registry to one that serves audits).',
      ],
    };
  }
  return { verdict: 'error', lines: [`npm audit failed: ${report.message ?? report.error?.summary ?? JSON.stringify(report).slice(0, 300)}`] };
}

/** Runs npm audit and returns the exit code this script ends with. */
export function runAudit(extraArgs = [], env = process.env) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['audit', '--omit=dev', '--json', ...extraArgs], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  let report;
  try {
    report = result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
  } catch {
    report = undefined;
  }
  const { verdict, lines } = auditVerdict(report);
  const out = verdict === 'clean' || verdict === 'unavailable' ? console.log : console.error;
  for (const line of lines) out(`[audit-prod] ${line}`);
  if (verdict === 'error' && result.stderr) console.error(result.stderr.trim());
  return verdict === 'advisories' ? 1 : verdict === 'error' ? 2 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runAudit(process.argv.slice(2));
}
