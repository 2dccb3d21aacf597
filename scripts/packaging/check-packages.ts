/**
 * `npm run check:packages` (part of `npm test`): the packages as published. Builds from a clean
 * slate, packs every published workspace, checks each tarball with publint, are-the-types-wrong
 * and the repository's manifest rules, installs the tarballs into a scratch project outside the
 * repository, runs a program there with plain Node (a task dispatched and completed on SQLite
 * and on PostgreSQL), type-checks a TypeScript program under `nodenext` and `bundler`
 * resolution, and runs the installed `evertask` command. Exits 1 with every problem listed.
 *
 * PostgreSQL comes from EVERTASK_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
 * when it does not answer, the PostgreSQL run is skipped with a warning, or fails under CI=true.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tarballProblems } from './lint-tarballs.js';
import { cleanBuild, pack } from './pack-packages.js';
import { createScratchProject, runInstalledCli, runScratchProgram, typeCheckScratch } from './scratch-project.js';
import { publishedPackages } from './workspace-packages.js';

const PG_URL = process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const started = Date.now();
const step = (text: string) => console.log(`[check:packages] ${text} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

/** True when something listens at the URL's host and port. */
function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5432) });
    const settle = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5_000);
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

async function postgresUrl(): Promise<string | undefined> {
  if (await answers(PG_URL)) return PG_URL;
  const reason = `PostgreSQL does not answer at ${new URL(PG_URL).host}`;
  if (process.env.CI === 'true') throw new Error(`${reason}. CI=true, so the packaging check fails instead of skipping it. Set EVERTASK_TEST_PG_URL.`);
  console.warn(`\n[check:packages] SKIPPING the PostgreSQL run: ${reason}. Set EVERTASK_TEST_PG_URL to run it.\n`);
  return undefined;
}

async function main(): Promise<string[]> {
  const packages = publishedPackages();
  if (process.env.EVERTASK_PACK_NO_BUILD !== "1") cleanBuild(packages);
  step(`built ${packages.length} packages`);
  const tarballs = mkdtempSync(join(tmpdir(), 'evertask-tarballs-'));
  const problems: string[] = [];
  let scratch: string | undefined;
  try {
    const packed = packages.map((entry) => pack(entry, tarballs));
    problems.push(...(await tarballProblems(packed)));
    step(`publint, are-the-types-wrong and the manifest rules on ${packed.length} tarballs: ${problems.length} problems`);
    if (problems.length > 0) return problems;

    scratch = createScratchProject(packed);
    step(`installed the tarballs into ${scratch}`);
    const pgUrl = await postgresUrl();
    const schema = `evertask_pack_${process.pid}`;
    const run = runScratchProgram(scratch, pgUrl === undefined ? {} : { EVERTASK_PACK_PG_URL: pgUrl, EVERTASK_PACK_PG_SCHEMA: schema });
    const expected = pgUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
    const seen = run.results.map((result) => result.storage);
    if (seen.join() !== expected.join()) problems.push(`plain Node: the program ran on ${seen.join(', ')}; expected ${expected.join(', ')}`);
    for (const result of run.results) {
      if (result.status !== 'completed' || result.completedId !== result.id) {
        problems.push(`plain Node on ${result.storage}: task ${result.id} ended ${result.status} (completed event for ${result.completedId}); expected completed`);
      }
    }
    const installed = pathToFileURL(join(scratch, 'node_modules')).href;
    for (const url of run.resolved) if (!url.startsWith(installed)) problems.push(`plain Node resolved ${url}, outside the scratch project's node_modules`);
    if (!run.dashboardBuilt) problems.push('the installed @evertask/dashboard has no built dashboard (dist/index.html missing from its tarball)');
    step(`plain Node ESM: ${run.results.map((result) => `${result.storage} ${result.status}`).join(', ')}`);

    for (const failure of typeCheckScratch(scratch)) problems.push(`tsc (moduleResolution ${failure.mode}) failed:\n${failure.errors}`);
    step('TypeScript: nodenext and bundler');
    const help = runInstalledCli(scratch);
    if (!help.includes('evertask')) problems.push(`the installed evertask --help printed no usage: ${JSON.stringify(help.slice(0, 200))}`);
    step('the installed evertask command answered --help');
    return problems;
  } finally {
    rmSync(tarballs, { recursive: true, force: true });
    if (scratch !== undefined && problems.length === 0) rmSync(scratch, { recursive: true, force: true });
    else if (scratch !== undefined) console.error(`[check:packages] the scratch project is kept for a look: ${scratch}`);
  }
}

const problems = await main();
if (problems.length > 0) {
  console.error(`[check:packages] ${problems.length} problems:\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
} else {
  step('all packages work as published');
}
