// `trove model add DIR` and `trove model list`: the library's model store
// (<dataDir>/models/<id>/, next to native-models/ of the installation; Settings lists both).
//   model add DIR [--max-pixels N] [--id ID] [--json]   a Qwen2-VL export folder, checked,
//       test-embedded, hashed; the manifest goes to the store, the files stay in DIR
//   model list [--json]                                  every installed package
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findModelPackages, modelRoots, readSettings } from '../engine/settings';
import { addExportModel } from '../ml/models/qwen2-vl/add-model';
import { flagInt, flagString, UsageError, type ParsedArgs } from './args';

interface ModelDeps {
  dataDir: string;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

const mb = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GB` : `${(b / 2 ** 20).toFixed(1)} MB`);

export async function cmdModel(args: ParsedArgs, deps: ModelDeps): Promise<number> {
  const [sub, ...rest] = args.positional;
  if (sub === 'add') return modelAdd(rest[0], args, deps);
  if (sub === 'list') return modelList(args, deps);
  throw new UsageError(`model needs a subcommand: trove model add DIR, or trove model list${sub ? ` (got "${sub}")` : ''}`);
}

async function modelAdd(dir: string | undefined, args: ParsedArgs, { dataDir, out, err }: ModelDeps): Promise<number> {
  if (!dir) throw new UsageError('model add needs the export folder: trove model add DIR');
  const maxPixels = flagInt(args, 'max-pixels', 28 * 28, 12_845_056);
  const json = args.flags.has('json');
  const added = await addExportModel(dir, join(dataDir, 'models'), {
    ...(maxPixels !== undefined ? { maxPixels } : {}),
    ...(flagString(args, 'id') ? { id: flagString(args, 'id') } : {}),
    log: (line) => err.write(`trove: ${line}\n`),
  });
  const m = added.manifest;
  const summary = {
    id: m.id,
    version: m.version,
    family: m.family,
    dir: added.dir,
    filesDir: added.filesDir,
    bytes: added.bytes,
    dim: m.dim,
    preset: added.preset,
    imageSize: m.preprocessing.image,
    imageTokens: added.imageTokens,
    providers: added.providers,
    variants: added.variants,
    testEmbeddingRanOn: added.ranOn,
  };
  if (json) {
    out.write(JSON.stringify(summary) + '\n');
    return 0;
  }
  out.write(`Added ${m.id} ${m.version} (${m.family}, preset ${added.preset}) to ${added.dir}\n`);
  out.write(`  files:      ${added.filesDir} (${Object.keys(m.files).length} files, ${mb(added.bytes)}; SHA-256s in the manifest)\n`);
  out.write(`  dimension:  ${m.dim}\n`);
  out.write(`  photos:     up to ${m.preprocessing.image!.width}x${m.preprocessing.image!.height} pixels (${added.imageTokens} visual tokens; --max-pixels changes it)\n`);
  out.write(`  providers:  ${added.providers.map((p) => (p.available ? `${p.name} (${Object.values(added.variants[p.name] ?? {}).join('/')})` : `${p.name}: no`)).join(', ')}\n`);
  for (const p of added.providers.filter((x) => !x.available)) out.write(`    ${p.name}: ${p.reason}\n`);
  out.write(`  checked:    test embeddings on ${added.ranOn.name}\n`);
  out.write('Pick it in Settings (or `trove serve`), which re-embeds the library in the background.\n');
  return 0;
}

const ManifestSummary = z.object({
  id: z.string(),
  version: z.string(),
  family: z.string(),
  dim: z.number().optional(),
  filesDir: z.string().optional(),
  files: z.record(z.string(), z.string()).default({}),
});

function modelList(args: ParsedArgs, { dataDir, out }: ModelDeps): number {
  const selected = readSettings(dataDir).modelDir ?? null;
  const models = findModelPackages(modelRoots(dataDir)).map((p) => {
    const m = ManifestSummary.safeParse(JSON.parse(readFileSync(join(p.dir, 'manifest.json'), 'utf8')));
    const root = m.success ? (m.data.filesDir ?? p.dir) : p.dir;
    const files = m.success ? Object.keys(m.data.files) : [];
    const missing = files.filter((f) => !existsSync(join(root, f)));
    const bytes = files.filter((f) => !missing.includes(f)).reduce((s, f) => s + statSync(join(root, f)).size, 0);
    return { id: p.id, version: p.version, family: p.family, dim: m.success ? (m.data.dim ?? null) : null, dir: p.dir, filesDir: root, bytes, missingFiles: missing, selected: p.dir === selected };
  });
  if (args.flags.has('json')) {
    out.write(JSON.stringify({ models }) + '\n');
    return 0;
  }
  if (!models.length) out.write('No model packages found.\n');
  for (const m of models) {
    out.write(`${m.selected ? '*' : ' '} ${m.id} ${m.version}  ${m.family}, dim ${m.dim ?? '?'}, ${mb(m.bytes)}  ${m.dir}${m.filesDir !== m.dir ? ` (files in ${m.filesDir})` : ''}\n`);
    if (m.missingFiles.length) out.write(`    missing: ${m.missingFiles.join(', ')}\n`);
  }
  return 0;
}
