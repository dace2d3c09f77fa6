import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../main/ml/models/loader';
import { readModelPackage } from '../../../main/ml/models/model-package';
import { sha256 } from '../../../main/base/hash';

const instr = { query: 'Find {text}', target: 'Represent the given image.' };

function makePackage(family = 'vlm2vec'): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-pkg-'));
  const files: Record<string, string> = { 'model.onnx': 'graph bytes', 'tokenizer.json': '{"model":{}}' };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const sha = (s: string) => sha256(s);
  const manifest = {
    id: 'tiny', version: '1', family, dim: 8, pooling: 'last_token', normalize: true,
    preprocessing: { image: { width: 32, height: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, maxTextTokens: 64 },
    tokenizer: 'tokenizer.json',
    instructions: Object.fromEntries(['retrieval_text_to_image', 'retrieval_image_to_image', 'retrieval_text_to_text', 'classification', 'vqa', 'grounding'].map((t) => [t, instr])),
    files: Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha(b)])),
    graphs: { embed: 'model.onnx' },
    licence: 'MIT', provenance: 'made by this test',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('model packages', () => {
  it('reads an intact package', async () => {
    const pkg = await readModelPackage(makePackage());
    expect(pkg.manifest.id).toBe('tiny');
    expect(pkg.manifest.scores).toEqual({});
  });

  it('refuses a damaged file, naming it and saying what to do', async () => {
    const dir = makePackage();
    writeFileSync(join(dir, 'model.onnx'), 'tampered');
    await expect(readModelPackage(dir)).rejects.toThrow(/model\.onnx.*damaged.*Reinstall/);
  });

  it('refuses a folder without a manifest, and an invalid manifest', async () => {
    await expect(readModelPackage(mkdtempSync(join(tmpdir(), 'trove-empty-')))).rejects.toThrow(/manifest\.json is missing/);
    const dir = makePackage();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'x' }));
    await expect(readModelPackage(dir)).rejects.toThrow(/invalid at/);
  });

  it('refuses a path that escapes the package', async () => {
    const dir = makePackage();
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    m.graphs.embed = '../elsewhere.onnx';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(readModelPackage(dir)).rejects.toThrow(/inside the package/);
  });

  it('names the unknown family instead of guessing', async () => {
    await expect(loadModel(makePackage('mystery'))).rejects.toThrow(/family "mystery"/);
  });
});
