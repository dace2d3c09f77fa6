// Enforces the one-way import layering (docs/ARCHITECTURE.md, "Layers"):
//   app -> engine -> ml -> base;  cli -> engine, ml;  everyone -> contract;  contract -> (zod only)
// main/base holds the few helpers every layer of main/ needs and imports nothing of Trove's.
// preload and renderer know the contract only; only app/ and preload/ import electron;
// the renderer never imports Node built-ins.
// Outside main/:
// - test/ may import any layer of main/, the recipes and itself; never renderer/ or preload/
//   source (the UI is tested in a browser against `trove serve`, through the contract) and
//   never electron (main/app's glue is tested against a stand-in module);
// - native-models/recipes/ build models and data: they may import main/ml, main/base and the
//   engine's data formats and decoders (main/engine/library, lexicon, places), never the
//   hosts (main/cli, main/app), the rest of the engine, the contract or test/.
// Runtime import cycles in main/ fail the check too.
//
//   node scripts/check-layers.mjs [ROOT]   (ROOT: the repository by default; tests use a temp tree)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const root = process.argv[2] ? resolve(process.argv[2]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const ENGINE_DATA = ['main/engine/library', 'main/engine/lexicon', 'main/engine/places'];
const layers = {
  'main/base': { may: ['main/base'], electron: false, node: true },
  'main/contract': { may: ['main/contract'], electron: false, node: false },
  'main/ml': { may: ['main/ml', 'main/base'], electron: false, node: true },
  'main/engine': { may: ['main/engine', 'main/ml', 'main/contract', 'main/base'], electron: false, node: true },
  'main/cli': { may: ['main/cli', 'main/engine', 'main/ml', 'main/contract', 'main/base'], electron: false, node: true },
  'main/app': { may: ['main/app', 'main/engine', 'main/contract', 'main/base'], electron: true, node: true },
  preload: { may: ['preload', 'main/contract'], electron: true, node: false },
  renderer: { may: ['renderer', 'main/contract'], electron: false, node: false },
  test: { may: ['main', 'native-models/recipes', 'test'], electron: false, node: true },
  'native-models/recipes': { may: ['native-models/recipes', 'main/ml', 'main/base', ...ENGINE_DATA], electron: false, node: true },
};

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|mts|svelte|js)$/.test(name)) yield p;
  }
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const problems = [];
for (const [layer, rule] of Object.entries(layers)) {
  let dir;
  try { dir = join(root, layer); statSync(dir); } catch { continue; }
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      const rel = relative(root, file).split(sep).join('/');
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!rule.electron) problems.push(`${rel}: imports electron (only main/app and preload may)`);
      } else if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'crypto'].includes(spec)) {
        if (!rule.node) problems.push(`${rel}: imports Node built-in '${spec}'`);
      } else if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/');
        const ok = rule.may.some((l) => target === l || target.startsWith(l + '/'));
        if (!ok) problems.push(`${rel}: imports '${spec}' (${target}), outside what ${layer} may import: ${rule.may.join(', ')}`);
      } else if (layer === 'main/contract' && spec !== 'zod') {
        problems.push(`${rel}: the contract may depend on zod only, not '${spec}'`);
      }
    }
  }
}
// Import cycles in main/: modules that import each other (through any chain) cannot be
// understood, tested or loaded one before the other. A cycle of runtime imports fails the
// check; one closed only by `import type` (erased at build) is reported as a note.
function importCycles(dir) {
  const edgeRe = /^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s*['"](\.[^'"]*)['"]/gm;
  const graph = new Map(); // file -> [[target, typeOnly]]
  for (const file of sources(dir)) {
    const edges = [];
    for (const m of readFileSync(file, 'utf8').matchAll(edgeRe)) {
      const base = resolve(dirname(file), m[2]);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
      if (target) edges.push([target, Boolean(m[1])]);
    }
    graph.set(file, edges);
  }
  // Tarjan's strongly connected components over the chosen edges
  const components = (runtimeOnly) => {
    let next = 0;
    const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
    const visit = (v) => {
      index.set(v, next); low.set(v, next); next++; stack.push(v); onStack.add(v);
      for (const [w, typeOnly] of graph.get(v) ?? []) {
        if (runtimeOnly && typeOnly) continue;
        if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
      }
      if (low.get(v) !== index.get(v)) return;
      const c = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); c.push(relative(root, w)); } while (w !== v);
      if (c.length > 1) found.push(c.sort().join(' <-> '));
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    return found;
  };
  const runtime = components(true);
  return { runtime, typeOnly: components(false).filter((c) => !runtime.includes(c)) };
}
let mainDir = null;
try { mainDir = join(root, 'main'); statSync(mainDir); } catch { mainDir = null; }
const cycles = mainDir ? importCycles(mainDir) : { runtime: [], typeOnly: [] };
for (const c of cycles.runtime) problems.push(`import cycle: ${c}`);
for (const c of cycles.typeOnly) console.log(`note: import cycle through 'import type' only: ${c}`);
if (problems.length) {
  console.error('Layering violations:\n' + problems.map((p) => '  ' + p).join('\n'));
  process.exit(1);
}
console.log('layers ok');
