import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../check-doc-links.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'evertask-doc-links-'));
const fence = '```';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files (path → text) under a fresh folder and answers the folder. */
function pages(files: Record<string, string>): string {
  const base = mkdtempSync(join(dir, 'case-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(base, path, '..'), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  return base;
}

const check = (...files: string[]) => spawnSync(process.execPath, [SCRIPT, ...files], { cwd: dir, encoding: 'utf8' });

describe('check-doc-links', () => {
  it('passes links to files, folders, headings (GitHub anchors, repeats numbered) and <a id> anchors', () => {
    const base = pages({
      'index.md': [
        '# Index',
        'See [the guide](guide/intro.md), [its setup](guide/intro.md#set-up-the-engine-evertaskstart),',
        "[the second Notes](guide/intro.md#notes-1), [a marker](guide/intro.md#custom), [here](#index), [a folder](guide/),",
        '![a picture](pic.png "title") and [the web](https://example.com/missing.md#nowhere).',
      ].join('\n'),
      'guide/intro.md': ['# Intro', '## Set up the engine (`everTask.start()`)', '## Notes', '## Notes', '<a id="custom"></a>'].join('\n'),
      'pic.png': 'png',
    });
    const result = check(join(base, 'index.md'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/every relative link and anchor of 1 markdown files resolves/);
  });

  it('fails on a missing file and a missing anchor, naming the file and line; ignores links in code', () => {
    const base = pages({
      'index.md': [
        '# Index',
        'A [gone page](nowhere.md).',
        'An [old anchor](other.md#renamed) and one [here](#nope).',
        `${fence}md`,
        '[inside code](missing-too.md)',
        fence,
        'Inline `[code](missing-three.md)` is not a link.',
      ].join('\n'),
      'other.md': '# Other\n## Current name\n',
    });
    const result = check(join(base, 'index.md'));
    expect(result.status).toBe(1);
    const errors = result.stderr.trim().split('\n');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/index\.md:2 \(nowhere\.md\): .*nowhere\.md does not exist/);
    expect(errors[1]).toMatch(/index\.md:3 \(other\.md#renamed\): .*other\.md has no heading #renamed/);
    expect(errors[2]).toMatch(/index\.md:3 \(#nope\): .*index\.md has no heading #nope/);
    expect(errors[3]).toMatch(/3 broken link\(s\)/);
  });

  it('passes on the repository documentation', () => {
    const result = spawnSync(process.execPath, [SCRIPT], { cwd: REPO, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
