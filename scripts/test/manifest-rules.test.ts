/**
 * The packaging check's own manifest rules: a package as this repository publishes it passes,
 * and each way of getting it wrong is named with the bad value and the fix.
 */
import { describe, expect, it } from 'vitest';
import { manifestProblems, type PackageUnderCheck } from '../packaging/manifest-rules.js';
import type { Manifest } from '../packaging/workspace-packages.js';

const ROOT_MANIFEST = { engines: { node: '>=20.9' }, devDependencies: { vitest: '^4.1.12' } };

/** A storage package with a driver peer, as the repository's packages are laid out. */
function goodPackage(): PackageUnderCheck & { manifest: Manifest } {
  return {
    folder: 'packages/postgres',
    manifest: {
      name: '@evertask/postgres',
      version: '0.1.0',
      license: 'MIT',
      type: 'module',
      sideEffects: false,
      engines: { node: '>=20.9' },
      repository: { type: 'git', url: 'git+https://example.invalid/evertask.git', directory: 'packages/postgres' },
      exports: { '.': { 'evertask-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
      dependencies: { evertask: '^0.1.0' },
      peerDependencies: { pg: '^8.23.1' },
      devDependencies: { pg: '^8.23.1' },
    },
    files: ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts'],
  };
}

describe('the manifest rules', () => {
  it('find nothing wrong in a package laid out as the repository publishes them', () => {
    expect(manifestProblems(goodPackage(), ROOT_MANIFEST)).toEqual([]);
  });

  it('name a driver that is a dependency instead of a peer', () => {
    const entry = goodPackage();
    entry.manifest.dependencies = { evertask: '^0.1.0', pg: '^8.23.1' };
    delete entry.manifest.peerDependencies;
    expect(manifestProblems(entry, ROOT_MANIFEST)).toEqual([
      '@evertask/postgres: "pg" is a dependency; move it to "peerDependencies" (the application installs its driver)',
      '@evertask/postgres: "pg" is not a peer dependency; add it to "peerDependencies"',
    ]);
  });

  it('name a peer the workspace would not install for the tests', () => {
    const entry = goodPackage();
    entry.manifest.devDependencies = {};
    expect(manifestProblems(entry, ROOT_MANIFEST)).toEqual([
      '@evertask/postgres: peer "pg" is not a devDependency here or at the root; add it so the workspace installs it for the tests',
    ]);
  });

  it('name files missing from the tarball and sources that should not be in it', () => {
    const entry = goodPackage();
    entry.files = ['package.json', 'README.md', 'dist/index.js', 'src/index.ts'];
    expect(manifestProblems(entry, ROOT_MANIFEST)).toEqual([
      '@evertask/postgres: the tarball has no CHANGELOG.md; add it to the package folder and to "files"',
      '@evertask/postgres: the tarball has no LICENSE; add it to the package folder and to "files"',
      '@evertask/postgres: the tarball ships src/index.ts; keep sources and tests out of "files"',
      '@evertask/postgres: export "." (types) points at ./dist/index.d.ts, which is not in the tarball; build it or fix the path',
    ]);
  });

  it('name an export without types and a bin that is not shipped', () => {
    const entry = goodPackage();
    entry.manifest.exports = { '.': './dist/index.js' };
    entry.manifest.bin = { evertask: './bin/evertask.mjs' };
    expect(manifestProblems(entry, ROOT_MANIFEST)).toEqual([
      '@evertask/postgres: export "." has no "types" condition with a .d.ts; add one before "default"',
      '@evertask/postgres: bin "evertask" points at ./bin/evertask.mjs, which is not in the tarball; add it to "files"',
    ]);
  });

  it('name wrong metadata with the value found and the one to set', () => {
    const entry = goodPackage();
    entry.manifest.license = 'ISC';
    delete entry.manifest.sideEffects;
    entry.manifest.engines = { node: '>=18' };
    entry.manifest.repository = { type: 'git', url: 'git+https://example.invalid/evertask.git', directory: 'packages/pg' };
    expect(manifestProblems(entry, ROOT_MANIFEST)).toEqual([
      '@evertask/postgres: "license" is "ISC"; set it to "MIT" like the other packages',
      '@evertask/postgres: "sideEffects" is undefined; set it to false (no module does work on import)',
      '@evertask/postgres: "engines.node" is ">=18"; set it to the root\'s ">=20.9"',
      '@evertask/postgres: "repository.directory" is "packages/pg"; set it to "packages/postgres"',
    ]);
  });
});
