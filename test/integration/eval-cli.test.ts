// `trove eval` on a small MMEB-format fixture (test/fixtures/mmeb/eval-cli, P@1 known by
// construction) with the deterministic test-double model injected as the CLI's model:
// the --json shape, the scores, the errors, and the baselines.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli, type CliDeps } from '../../main/cli/main';
import { formatRunsTable } from '../../main/ml/eval/runs-table';
import { evaluate, readSuite } from '../../main/ml/eval';
import { bagOfWords, randomBaseline, seededVector, trunkBowBaseline } from '../../main/ml/eval/baselines';
import { NoModelError } from '../../main/engine/model-loader';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { runCliProcess } from '../support/spawn-cli';
import { tempDir } from '../support/tmp';

const fixture = resolve(__dirname, '..', 'fixtures', 'mmeb', 'eval-cli');
const images = resolve(__dirname, '..', 'fixtures', 'mmeb', 'eval-cli-images');
/** the real frozen trunk, as the default model package ships it */
const packageTrunk = resolve(__dirname, '..', '..', 'native-models', 'vlm2vec-nano', 'trunk.onnx');

let tmp: ReturnType<typeof tempDir>;
const sigintListeners = process.listenerCount('SIGINT');
beforeAll(() => {
  tmp = tempDir('trove-eval-cli-');
  mkdirSync(join(tmp.path, 'empty-build'));
  mkdirSync(join(tmp.path, 'no-package'));
});
afterAll(() => tmp.cleanup());

async function evalCli(argv: string[], deps: Partial<CliDeps> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['eval', ...argv], {
    loadModel: async () => new HashedTestEmbedder(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...deps,
  });
  return { code, stdout, stderr };
}

const Score = z.number().min(0).max(1);
const SuiteScoresJson = z
  .object({
    model: z.string(),
    datasets: z.array(
      z
        .object({
          name: z.string(),
          metaTask: z.enum(['classification', 'vqa', 'retrieval', 'grounding']),
          split: z.enum(['IND', 'OOD']),
          n: z.number().int().nonnegative(),
          p1: Score.nullable(),
        })
        .strict(),
    ),
    metaTasks: z.object({ classification: Score.nullable(), vqa: Score.nullable(), retrieval: Score.nullable(), grounding: Score.nullable() }).strict(),
    ind: Score.nullable(),
    ood: Score.nullable(),
    overall: Score.nullable(),
  })
  .strict();
const RunsJson = z.object({ suite: z.object({ dir: z.string(), limit: z.number().int().nullable() }).strict(), runs: z.array(SuiteScoresJson) }).strict();

/** What every encoder that maps equal inputs to equal vectors (and different ones apart) scores on the fixture. */
function expectFixtureScores(s: z.infer<typeof SuiteScoresJson>) {
  const p1 = Object.fromEntries(s.datasets.map((d) => [d.name, d.p1]));
  expect(s.datasets.map((d) => [d.name, d.metaTask, d.split, d.n])).toEqual([
    ['t2t-exact', 'retrieval', 'IND', 4],
    ['i2i-colours', 'classification', 'IND', 3],
    ['vqa-words', 'vqa', 'OOD', 2],
  ]);
  expect(p1['t2t-exact']).toBeCloseTo(2 / 4, 12); // hit, hit, miss, tie (= miss)
  expect(p1['i2i-colours']).toBeCloseTo(2 / 3, 12); // hit, miss, hit
  expect(p1['vqa-words']).toBeCloseTo(1 / 2, 12); // hit, miss
  expect(s.metaTasks.retrieval).toBeCloseTo(0.5, 12);
  expect(s.metaTasks.classification).toBeCloseTo(2 / 3, 12);
  expect(s.metaTasks.vqa).toBeCloseTo(0.5, 12);
  expect(s.metaTasks.grounding).toBeNull();
  expect(s.ind).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
  expect(s.ood).toBeCloseTo(0.5, 12);
  expect(s.overall).toBeCloseTo((0.5 + 2 / 3 + 0.5) / 3, 12);
}

describe('trove eval --mmeb', () => {
  it('--json prints one document of the documented shape with P@1 known by construction', async () => {
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const doc = SuiteScoresJson.parse(JSON.parse(r.stdout));
    expect(doc.model).toBe('hashed-test-embedder@1');
    expectFixtureScores(doc);
  });

  it('as a process (the test CLI): one JSON document on stdout, exit 0', async () => {
    const r = await runCliProcess(['eval', '--mmeb', fixture, '--images', images, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expectFixtureScores(SuiteScoresJson.parse(JSON.parse(r.stdout)));
  });

  it('--limit reads only the first rows of each dataset', async () => {
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--limit', '2']);
    expect(r.code).toBe(0);
    const doc = SuiteScoresJson.parse(JSON.parse(r.stdout));
    expect(doc.datasets.map((d) => [d.name, d.n, d.p1])).toEqual([
      ['t2t-exact', 2, 1],
      ['i2i-colours', 2, 0.5],
      ['vqa-words', 2, 0.5],
    ]);
  });

  it('without --json prints the table', async () => {
    const r = await evalCli(['--mmeb', fixture, '--images', images]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dataset\s+meta-task\s+split\s+n\s+chance\s+hashed-test-embedder@1/);
    expect(r.stdout).toMatch(/t2t-exact\s+retrieval\s+IND\s+4\s+33\.3\s+50\.0/);
    expect(r.stdout).toMatch(/i2i-colours\s+classification\s+IND\s+3\s+33\.3\s+66\.7/);
    expect(r.stdout).toMatch(/\[overall\]\s+33\.3\s+55\.6/);
  });

  it('an image that cannot be read is a clear error naming the file and --images', async () => {
    const r = await evalCli(['--mmeb', fixture, '--json']); // the images are not beside suite.json
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot read the eval image .*red\.png.*--images/);
  });

  it('Ctrl-C cancels: exit 130, nothing on stdout', async () => {
    class InterruptedEmbedder extends HashedTestEmbedder {
      override async embed(batch: Parameters<HashedTestEmbedder['embed']>[0]) {
        if (this.embedCalls === 1) process.emit('SIGINT'); // the user presses Ctrl-C during the second call
        return super.embed(batch);
      }
    }
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json'], { loadModel: async () => new InterruptedEmbedder() });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cancelling the evaluation[\s\S]*evaluation cancelled/);
    expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
  });

  it('usage errors and missing folders', async () => {
    expect((await evalCli([])).code).toBe(2);
    expect((await evalCli(['--suite', 'mini-mmeb', '--mmeb', fixture])).code).toBe(2);
    const unknown = await evalCli(['--suite', 'big-mmeb']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown suite "big-mmeb"; known: mini-mmeb/);
    const gone = await evalCli(['--mmeb', join(tmp.path, 'nope')]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/--mmeb .*nope: no such folder/);
    const empty = await evalCli(['--mmeb', join(tmp.path, 'empty-build')]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/no MMEB datasets to evaluate/);
  });
});

describe('trove eval --suite mini-mmeb', () => {
  it('a missing suite says how to build it', async () => {
    const r = await evalCli(['--suite', 'mini-mmeb', '--json'], { env: { TROVE_BUILD_DIR: join(tmp.path, 'empty-build') } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/mini-MMEB suite is not built: expected .*empty-build\/data\/eval\/suite\.json/);
    expect(r.stderr).toContain('npx tsx native-models/recipes/build-data.ts');
  });

  it('no model installed: a clear error, unless --baselines (then the baselines run alone)', async () => {
    const noModel = async () => {
      throw new NoModelError('No embedding model is installed.');
    };
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json'], { loadModel: noModel });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No embedding model is installed.*--baselines/);
    const b = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines', '--trunk', packageTrunk], { loadModel: noModel });
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/running the baselines only/);
    expect(RunsJson.parse(JSON.parse(b.stdout)).runs.map((x) => x.model)).toEqual(['random', 'trunk+bow']);
  });
});

describe('baselines', () => {
  it('a missing trunk says how to build it', async () => {
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--baselines'], { env: { TROVE_BUILD_DIR: join(tmp.path, 'empty-build'), TROVE_MODEL_DIR: join(tmp.path, 'no-package') } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs the vision trunk: none at .*empty-build\/trunk\/trunk\.onnx/);
    expect(r.stderr).toContain('npx tsx native-models/recipes/vision-trunk.ts');
    const gone = await evalCli(['--mmeb', fixture, '--images', images, '--baselines', '--trunk', join(tmp.path, 'no.onnx')]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/--trunk .*no\.onnx: no such file/);
  });

  it('without --trunk, the trunk the model package ships: no recipe build needed', async () => {
    const noBuild = { TROVE_BUILD_DIR: join(tmp.path, 'empty-build') };
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines'], { env: noBuild });
    expect(r.stderr).toBe(`trove: note: the trunk+bow baseline uses the vision trunk ${packageTrunk}\n`);
    expect(r.code).toBe(0);
    const doc = RunsJson.parse(JSON.parse(r.stdout));
    expect(doc.runs.map((x) => x.model)).toEqual(['hashed-test-embedder@1', 'random', 'trunk+bow']);
    const explicit = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines', '--trunk', packageTrunk], { env: noBuild });
    expect(explicit.stderr).toBe('');
    expect(JSON.parse(explicit.stdout)).toEqual(JSON.parse(r.stdout));

    // --model DIR's package is asked first; --trunk still wins over every package
    const viaModel = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines', '--model', dirname(packageTrunk)], { env: { ...noBuild, TROVE_MODEL_DIR: join(tmp.path, 'no-package') } });
    expect(viaModel.stderr).toContain(`uses the vision trunk ${packageTrunk}`);
    const wins = await evalCli(['--mmeb', fixture, '--images', images, '--baselines', '--trunk', join(tmp.path, 'no.onnx')], { env: noBuild });
    expect(wins.stderr).toMatch(/--trunk .*no\.onnx: no such file/);

    // a package without a trunk: the recipe's build
    const build = join(tmp.path, 'build');
    mkdirSync(join(build, 'trunk'), { recursive: true });
    copyFileSync(packageTrunk, join(build, 'trunk', 'trunk.onnx'));
    const built = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines'], { env: { TROVE_BUILD_DIR: build, TROVE_MODEL_DIR: join(tmp.path, 'no-package') } });
    expect(built.stderr).toContain(`uses the vision trunk ${join(build, 'trunk', 'trunk.onnx')}`);
    expect(JSON.parse(built.stdout)).toEqual(JSON.parse(r.stdout));
  });

  it('a damaged trunk in the model package is refused, not run', async () => {
    const pkg = join(tmp.path, 'damaged-package');
    mkdirSync(pkg);
    for (const f of readdirSync(dirname(packageTrunk))) copyFileSync(join(dirname(packageTrunk), f), join(pkg, f));
    writeFileSync(join(pkg, 'trunk.onnx'), 'not the trunk');
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--baselines'], { env: { TROVE_BUILD_DIR: join(tmp.path, 'empty-build'), TROVE_MODEL_DIR: pkg } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The trunk .*damaged-package\/trunk\.onnx of the model package vlm2vec-nano is damaged \(SHA-256 .*Reinstall the model package/);
  });

  it('the random baseline is deterministic per content; identical candidates tie and miss', async () => {
    const a = seededVector('x', 64, 's');
    expect(seededVector('x', 64, 's')).toEqual(a);
    expect(seededVector('y', 64, 's')).not.toEqual(a);
    expect(seededVector('x', 64, 't')).not.toEqual(a);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.5);
    const suite = await readSuite(fixture, { imageRoot: images });
    const rows: Record<string, Float64Array[]> = {};
    const run = () =>
      evaluate(suite, randomBaseline(), {
        model: 'random',
        onRow: (d, i, s) => {
          (rows[d] ??= [])[i] = Float64Array.from(s);
        },
      });
    const first = await run();
    const firstRows = structuredClone(rows);
    const second = await run();
    expect(second).toEqual(first);
    expect(rows).toEqual(firstRows);
    // t2t-exact row 3: candidates 0 and 1 are the same text: the same vector, a tie
    const tie = rows['t2t-exact']![3]!;
    expect(tie[0]).toBe(tie[1]);
    expect(tie[0]).toBeGreaterThan(tie[2]!);
    // content semantics: a query equal to a candidate gets that candidate's vector
    expectFixtureScores(first);
  });

  it('trunk+bow: [image features ; bag of words], absent part zero', async () => {
    expect(bagOfWords('The cat and THE dog', 64)).toEqual(bagOfWords('dog cat', 64));
    expect(bagOfWords('the of and', 64).every((x) => x === 0)).toBe(true);
    // a trunk double: the mean colour as the "pooled features"
    const trunk = {
      pooled: async (imgs: { data: Uint8Array }[]) =>
        imgs.map((im) => {
          const f = new Float32Array(120);
          for (let p = 0; p < im.data.length; p += 3) for (let c = 0; c < 3; c++) f[c] += im.data[p + c]!;
          return f;
        }),
    };
    const enc = trunkBowBaseline({
      trunk,
      bowDim: 256,
      loadImage: async (path, size) => {
        const rgb = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255] }[path.replace(/.*\/|\.png$/g, '') as 'red'];
        const data = new Uint8Array(size.width * size.height * 3);
        for (let p = 0; p < data.length; p += 3) data.set(rgb, p);
        return { width: size.width, height: size.height, data };
      },
    });
    const ctx = { dataset: 'd', metaTask: 'retrieval' as const, side: 'query' as const };
    const [imgOnly, textOnly, both] = (await enc.embedQueries!(
      [
        { text: '', imagePath: 'red.png', image: '/x/red.png' },
        { text: 'red apple', imagePath: null, image: null },
        { text: 'red apple', imagePath: 'red.png', image: '/x/red.png' },
      ],
      ctx,
    )) as Float32Array[];
    expect(imgOnly!.length).toBe(120 + 256);
    expect(imgOnly!.subarray(120).every((x) => x === 0)).toBe(true);
    expect(textOnly!.subarray(0, 120).every((x) => x === 0)).toBe(true);
    expect(Array.from(both!)).toEqual(Array.from(imgOnly!).map((x, i) => x + textOnly![i]!));
    expect(enc.imagesEmbedded).toBe(1); // features cached per image
  });

  it('--baselines --json: the model, random and trunk+bow side by side', async () => {
    const r = await evalCli(['--mmeb', fixture, '--images', images, '--json', '--baselines', '--trunk', packageTrunk]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const doc = RunsJson.parse(JSON.parse(r.stdout));
    expect(doc.suite).toEqual({ dir: fixture, limit: null });
    expect(doc.runs.map((x) => x.model)).toEqual(['hashed-test-embedder@1', 'random', 'trunk+bow']);
    for (const run of doc.runs) expectFixtureScores(run);
    const table = await evalCli(['--mmeb', fixture, '--images', images, '--baselines', '--trunk', packageTrunk]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(formatRunsTable(doc.runs.map((x) => ({ ...x, datasets: x.datasets.map((d) => ({ ...d, p1: d.p1 ?? Number.NaN })) })), new Map([['t2t-exact', 1 / 3], ['i2i-colours', 1 / 3], ['vqa-words', 1 / 3]])));
  });
});
