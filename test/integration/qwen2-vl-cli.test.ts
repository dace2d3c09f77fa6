// `trove model add / list` and `trove embed` with the tiny Qwen2-VL export (test/support/
// qwen2vl-tiny.ts) and the shipped vlm2vec-nano: the manifest lands in the library's model
// store with SHA-256s of the export's files, the store lists it, it loads through the loader
// like any package, and `embed --json` gives the model's own vectors.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../main/cli/main';
import { sha256File } from '../../main/base/hash';
import { loadModel } from '../../main/ml/models/index';
import { readModelPackage } from '../../main/ml/models/model-package';
import { writeTinyExport } from '../support/qwen2vl-tiny';
import { tempDir } from '../support/tmp';

const PARROT = join(__dirname, '..', 'fixtures', 'photos', 'coral', 'parrot.jpg');
const NANO = join(__dirname, '..', '..', 'native-models', 'vlm2vec-nano');
const EmbedJson = z.object({ model: z.string(), dim: z.number(), embedding: z.array(z.number()) });

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

let dir: ReturnType<typeof tempDir>;
let exportDir: string;
let data: string;

beforeAll(() => {
  dir = tempDir('trove-qwen2vl-cli-');
  exportDir = join(dir.path, 'VLM2Vec Tiny');
  data = join(dir.path, 'data');
  writeTinyExport(exportDir, { seed: 5 });
}, 60_000);
afterAll(() => dir.cleanup());

/** `model add` of the tiny export into the data folder, run once for the tests that need it */
let added: ReturnType<typeof cli> | undefined;
const modelAdded = () => (added ??= cli(['--data', data, 'model', 'add', exportDir, '--json']));

describe('trove model add / list, trove embed', () => {
  it('model add checks the export, writes the manifest with SHA-256s into the store and lists what it found', async () => {
    const r = await modelAdded();
    expect(r.stderr).toContain('test embeddings on cpu');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { id: string; dim: number; preset: string; dir: string; bytes: number; providers: { name: string; available: boolean }[]; imageTokens: number };
    expect(s.id).toBe('vlm2vec-tiny');
    expect(s.dim).toBe(16);
    expect(s.preset).toBe('vlm2vec');
    expect(s.imageTokens).toBe(256);
    expect(s.bytes).toBeGreaterThan(9_000_000); // the 151936 x 16 token table
    expect(s.providers.find((p) => p.name === 'cpu')?.available).toBe(true);
    expect(s.dir).toBe(join(data, 'models', 'vlm2vec-tiny'));
    const pkg = await readModelPackage(s.dir); // verifies every SHA-256
    expect(pkg.manifest.filesDir).toBe(exportDir);
    expect(pkg.manifest.files['onnx/text_model.onnx_data']).toBe(await sha256File(join(exportDir, 'onnx', 'text_model.onnx_data')));
    expect(pkg.manifest.graphs).toEqual({ vision_encoder: 'onnx/vision_encoder.onnx', embed_tokens: 'onnx/embed_tokens.onnx', text_model: 'onnx/text_model.onnx' });

    const list = await cli(['--data', data, 'model', 'list', '--json']);
    const models = (JSON.parse(list.stdout) as { models: { id: string; family: string; dir: string }[] }).models;
    expect(models.map((m) => m.id)).toContain('vlm2vec-tiny');
    expect(models.find((m) => m.id === 'vlm2vec-tiny')?.family).toBe('qwen2-vl');
  });

  it('embed --json gives the stored model\'s vector for text, and for an image with text', async () => {
    expect((await modelAdded()).code).toBe(0);
    const pkgDir = join(data, 'models', 'vlm2vec-tiny');
    const t = EmbedJson.parse(JSON.parse((await cli(['--data', data, 'embed', '--model', pkgDir, '--text', 'a red kite', '--json'])).stdout));
    expect(t.model).toBe('vlm2vec-tiny');
    expect(t.dim).toBe(16);
    const m = await loadModel(exportDir, { providers: ['cpu'] });
    try {
      const [direct] = await m.embed([{ instruction: '', text: 'a red kite' }]);
      expect(Math.max(...t.embedding.map((x, i) => Math.abs(x - direct![i]!)))).toBeLessThan(1e-6);
    } finally {
      await m.dispose();
    }
    const it2 = await cli(['--data', data, 'embed', '--model', pkgDir, '--image', PARROT, '--text', 'what bird?', '--json']);
    expect(it2.code).toBe(0);
    const ie = EmbedJson.parse(JSON.parse(it2.stdout));
    expect(Math.abs(Math.hypot(...ie.embedding) - 1)).toBeLessThan(1e-4);
    expect(ie.embedding).not.toEqual(t.embedding);
  });

  it('embed works for vlm2vec-nano too', async () => {
    const r = await cli(['embed', '--model', NANO, '--image', PARROT, '--text', 'Represent the given image.', '--json']);
    expect(r.code).toBe(0);
    const e = EmbedJson.parse(JSON.parse(r.stdout));
    expect(e.model).toBe('vlm2vec-nano');
    expect(e.embedding).toHaveLength(256);
  });

  it('a changed export file is refused at load, naming it; a bad folder is a clear error', async () => {
    const bad = join(dir.path, 'not-an-export');
    writeTinyExport(bad);
    rmSync(join(bad, 'onnx', 'vision_encoder.onnx'));
    const own = join(dir.path, 'data-changed');
    const r = await cli(['--data', own, 'model', 'add', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing onnx\/vision_encoder\.onnx/);
    const usage = await cli(['--data', own, 'embed']);
    expect(usage.code).toBe(2);
    // an export of its own, changed after it was added: the stored manifest no longer matches
    const changing = join(dir.path, 'changing', 'VLM2Vec Tiny');
    writeTinyExport(changing, { seed: 6 });
    expect((await cli(['--data', own, 'model', 'add', changing])).code).toBe(0);
    const cfg = join(changing, 'preprocessor_config.json');
    const text = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, text.replace('"max_pixels": 12845056', '"max_pixels": 1003520'));
    await expect(loadModel(join(own, 'models', 'vlm2vec-tiny'))).rejects.toThrow(/preprocessor_config\.json of vlm2vec-tiny is damaged/);
  });
});
