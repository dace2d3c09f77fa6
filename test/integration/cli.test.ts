// The `trove` CLI as a user runs it (spawned, with the deterministic test-double model):
// command results, --json shapes, errors with exit codes, Ctrl-C and resume.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ItemError, Status } from '../../main/contract/api';
import { runCli } from '../../main/cli/main';
import { SearchJson } from '../../main/cli/search-command';
import { generateLibrary } from '../fixtures/library';
import { runCliProcess, startCli } from '../support/spawn-cli';
import { tempDir } from '../support/tmp';

let dir: ReturnType<typeof tempDir>;
let lib: string;
let data: string;

beforeAll(async () => {
  dir = tempDir();
  lib = join(dir.path, 'my photos');
  data = join(dir.path, 'data');
  await generateLibrary(lib, { images: 60, notes: 6, folders: 2 });
  writeFileSync(join(lib, 'broken.jpg'), 'not really a photo');
}, 60_000);
afterAll(() => dir.cleanup());

/** runCli in this process, capturing its output */
async function inProcess(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('trove CLI', () => {
  it('--help prints usage; an unknown command is a usage error', async () => {
    const help = await inProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: trove/);
    for (const c of ['add', 'index', 'search', 'status', 'errors']) expect(help.stdout).toContain(`  ${c}`);
    const bad = await inProcess(['--data', data, 'frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
    const k = await inProcess(['--data', data, 'search', 'x', '--k', 'lots']);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--k must be a whole number/);
  });

  it('without a model: index and search fail clearly, add/status/errors work', async () => {
    const saved = process.env.TROVE_MODEL_DIR;
    process.env.TROVE_MODEL_DIR = join(dir.path, 'no-model-here');
    try {
      const d = join(dir.path, 'data-nomodel');
      const search = await inProcess(['--data', d, 'search', 'cats']);
      expect(search.code).not.toBe(0);
      expect(search.stderr).toMatch(/No embedding model is installed: expected native-models\/vlm2vec-nano/);
      const index = await inProcess(['--data', d, 'index']);
      expect(index.code).not.toBe(0);
      expect(index.stderr).toMatch(/No embedding model is installed/);
      expect((await inProcess(['--data', d, 'add', lib])).code).toBe(0);
      const st = await inProcess(['--data', d, 'status', '--json']);
      expect(st.code).toBe(0);
      expect(Status.parse(JSON.parse(st.stdout)).sources).toBe(1);
      expect((await inProcess(['--data', d, 'errors', '--json'])).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TROVE_MODEL_DIR;
      else process.env.TROVE_MODEL_DIR = saved;
    }
  });

  it('add: a missing folder is an error that says so; index with no folders says what to do', async () => {
    const own = join(dir.path, 'data-no-folders');
    const missing = await runCliProcess(['--data', own, 'add', join(dir.path, 'nope')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/does not exist/);
    const empty = await runCliProcess(['--data', own, 'index']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no folders yet.*trove add/);
  });

  it('add, index (Ctrl-C stops cleanly, a rerun resumes), status, errors, search --json', async () => {
    const add = await runCliProcess(['--data', data, 'add', lib]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added .*my photos/);

    const first = startCli(['--data', data, 'index'], { TROVE_TEST_EMBED_DELAY_MS: '500' });
    await first.waitForLine(/running: \d+\/\d+ items/);
    first.child.kill('SIGINT');
    const stopped = await first.exit;
    expect(stopped.code, first.stderr()).toBe(130);
    expect(first.stdout()).toMatch(/Stopped: .* still pending\. Run `trove index` to resume/);

    const resumed = await runCliProcess(['--data', data, 'index']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Indexed: 66 items embedded, 0 pending, 1 could not be read/);

    const st = await runCliProcess(['--data', data, 'status', '--json']);
    expect(st.code).toBe(0);
    const status = Status.extend({ sourceList: z.array(z.unknown()) }).parse(JSON.parse(st.stdout));
    expect(status.items).toEqual({ image: 61, note: 6 });
    expect(status.embedded).toBe(66);
    expect(status.errors).toBe(1);

    const errs = await runCliProcess(['--data', data, 'errors', '--json']);
    const { errors } = z.object({ errors: z.array(ItemError) }).strict().parse(JSON.parse(errs.stdout));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toMatch(/broken\.jpg$/);
    expect(errors[0]!.reason).toMatch(/not an image/);

    const s = await runCliProcess(['--data', data, 'search', 'sourdough bread', '--k', '5', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.trim().split('\n')).toHaveLength(1); // one JSON document
    const res = SearchJson.parse(JSON.parse(s.stdout));
    expect(res.results.length).toBe(5);
    expect(res.results[0]!.kind).toBe('note');
    expect(res.results[0]!.chunk!.text).toMatch(/sourdough/);
    const img = await runCliProcess(['--data', data, 'search', '--image', join(lib, 'album-0', 'img-0000.jpg'), '--k', '3', '--json']);
    const imgRes = SearchJson.parse(JSON.parse(img.stdout));
    expect(imgRes.results[0]!.path).toBe(join(lib, 'album-0', 'img-0000.jpg'));
    expect(imgRes.results.every((r) => r.kind === 'image')).toBe(true);

    const human = await runCliProcess(['--data', data, 'search', 'bike shop receipt', '--kind', 'note', '--k', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/note .*note-1\.md/);
  }, 120_000);

  it('a missing --image file is a clear error', async () => {
    mkdirSync(join(dir.path, 'empty'), { recursive: true });
    const r = await runCliProcess(['--data', data, 'search', '--image', join(dir.path, 'empty', 'x.jpg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the image/);
  });
});
