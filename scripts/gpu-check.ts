// The GPU check (scripts/gpu-check.sh): on every execution provider onnxruntime can start on
// this machine, and on the CPU, runs the tiny Qwen2-VL export (test/support/qwen2vl-tiny.ts),
// vlm2vec-nano and the Qwen2-VL-2B-shaped graphs (test/bench/qwen2vl-shape-bench.ts), and
// prints each provider's max abs difference from the CPU's embeddings and its throughput.
// Providers that cannot start say why (CUDA: provider libraries not installed, ...).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EmbedInput, EmbeddingModel } from '../main/ml/models/embedding-model';
import { loadModel } from '../main/ml/models/index';
import { probeProviders } from '../main/ml/models/qwen2-vl/add-model';
import { shapeBench } from '../test/bench/qwen2vl-shape-bench';
import { writeTinyExport } from '../test/support/qwen2vl-tiny';
import { messageOf } from '../main/base/errors';

const root = join(__dirname, '..');
const PHOTOS = ['parrot.jpg', 'pets.jpg', 'owl.jpg', 'hot_dog.jpg'].map((f) => join(root, 'test', 'fixtures', 'photos', 'coral', f));
const say = (s: string) => process.stdout.write(s + '\n');

async function inputsFor(model: EmbeddingModel): Promise<EmbedInput[]> {
  const out: EmbedInput[] = [{ instruction: 'Find me an everyday image that matches the given caption: a parrot', text: '' }, { instruction: '', text: 'notes on sourdough' }];
  for (const f of PHOTOS) {
    const s = sharp(readFileSync(f)).removeAlpha();
    const sized = model.imageSize!.fit === 'area' ? s : s.resize(model.imageSize!.width, model.imageSize!.height, { fit: 'cover' });
    const { data, info } = await sized.raw().toBuffer({ resolveWithObject: true });
    out.push({ image: { width: info.width, height: info.height, data: new Uint8Array(data) }, instruction: 'Represent the given image.', text: '' });
  }
  return out;
}

async function check(name: string, dir: string, providers: string[]): Promise<void> {
  say(`\n${name} (${dir})`);
  let reference: Float32Array[] | null = null;
  for (const p of providers) {
    const model = await loadModel(dir, { providers: [p], threads: 2 });
    try {
      const inputs = await inputsFor(model);
      await model.embed(inputs.slice(0, 2));
      const t = performance.now();
      const out = await model.embed(inputs);
      const secs = (performance.now() - t) / 1000;
      reference ??= out;
      const diff = Math.max(...out.map((e, i) => Math.max(...e.map((x, k) => Math.abs(x - reference![i]![k]!)))));
      say(`  ${p.padEnd(9)} ran on ${model.provider.name.padEnd(8)} ${(inputs.length / secs).toFixed(2)} inputs/s (2 texts + ${PHOTOS.length} photos)  max |diff| vs ${providers[0]} ${diff.toExponential(2)}`);
    } catch (e) {
      say(`  ${p.padEnd(9)} failed: ${messageOf(e).split('\n')[0]}`);
    } finally {
      await model.dispose();
    }
  }
}

(async () => {
  const all = await probeProviders();
  say('Execution providers on this machine:');
  for (const p of all) say(`  ${p.name.padEnd(9)} ${p.available ? 'available' : `not available: ${p.reason}`}`);
  const providers = ['cpu', ...all.filter((p) => p.available && p.name !== 'cpu').map((p) => p.name)];
  if (providers.length === 1) say('No GPU provider can start here: the checks below run on the CPU only.');
  const work = mkdtempSync(join(tmpdir(), 'trove-gpu-check-'));
  try {
    writeTinyExport(join(work, 'tiny'));
    await check('tiny Qwen2-VL export', join(work, 'tiny'), providers);
    await check('vlm2vec-nano', join(root, 'native-models', 'vlm2vec-nano'), providers);
    say('\nQwen2-VL-2B-shaped graphs (random weights; per-layer extrapolation)');
    await shapeBench(['--model-shape', 'qwen2-vl-2b', '--providers', providers.join(','), '--reps', '1']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
})().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
