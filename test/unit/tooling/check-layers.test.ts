// scripts/check-layers.mjs on small trees: it catches what each area may not import (main's
// layers, test/, the recipes) and runtime import cycles, and passes what is allowed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/spawn-cli';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('trove-layers-');
/** An import line, built so that this file's own source holds no import of these paths. */
const imp = (what: string, from: string): string => ['import', what, what ? 'from' : '', `'${from}';`].filter(Boolean).join(' ');
const src = (...lines: string[]): string => lines.join('\n') + '\n';
afterAll(() => tmp.cleanup());

let trees = 0;
/** A tree of files (path -> text) in its own folder; returns the check's exit status and output. */
function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = join(tmp.path, `tree-${trees++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'check-layers.mjs'), root], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const allowed: Record<string, string> = {
  'main/base/errors.ts': 'export const x = 1;\n',
  'main/ml/eval/index.ts': src(imp('{ x }', '../../base/errors'), 'export const y = x;'),
  'main/engine/library/images.ts': src(imp('{ y }', '../../ml/eval'), 'export const z = y;'),
  'main/engine/service.ts': src(imp('{ z }', './library/images'), 'export const s = z;'),
  'main/cli/eval/command.ts': src(imp('{ s }', '../../engine/service'), 'export const c = s;'),
  'main/app/protocol.ts': src(imp('{ s }', '../engine/service'), 'export const p = s;'),
  'renderer/src/app.ts': 'export const r = 1;\n',
  'test/unit/any.test.ts': src(imp('{ p }', '../../main/app/protocol'), imp('{ c }', '../../main/cli/eval/command'), imp('{ q }', '../../native-models/recipes/ok'), imp('{ h }', '../support/help'), 'export const t = [p, c, q, h];'),
  'test/support/help.ts': src(imp('{ s }', '../../main/engine/service'), 'export const h = s;'),
  'native-models/recipes/ok.ts': src(imp('{ z }', '../../main/engine/library/images'), imp('{ y }', '../../main/ml/eval'), imp('{ x }', '../../main/base/errors'), imp('{ l }', './lib/util'), 'export const q = [z, y, x, l];'),
  'native-models/recipes/lib/util.ts': src(imp('{ readFileSync }', 'node:fs'), 'export const l = readFileSync;'),
};

describe('check-layers', () => {
  it('passes a tree where every import is allowed', () => {
    const r = check(allowed);
    expect(r.out).toContain('layers ok');
    expect(r.status).toBe(0);
  });

  it('catches tests that import renderer or preload source, or electron', () => {
    const r = check({
      ...allowed,
      'test/unit/ui.test.ts': src(imp('{ r }', '../../renderer/src/app'), 'export const u = r;'),
      'test/unit/preload.test.ts': src(imp('', '../../preload/preload')),
      'test/e2e/shell.ts': src(imp('{ app }', 'electron'), 'export const a = app;'),
    });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/test\/unit\/ui\.test\.ts: imports '\.\.\/\.\.\/renderer\/src\/app'/);
    expect(r.out).toMatch(/test\/unit\/preload\.test\.ts: imports '\.\.\/\.\.\/preload\/preload'/);
    expect(r.out).toMatch(/test\/e2e\/shell\.ts: imports electron/);
    expect(r.out).not.toMatch(/any\.test\.ts|help\.ts/);
  });

  it('catches recipes that import the hosts, the rest of the engine, the contract or the tests', () => {
    const r = check({
      ...allowed,
      'main/contract/api.ts': 'export const api = 1;\n',
      'native-models/recipes/bad.ts': src(
        imp('{ c }', '../../main/cli/eval/command'),
        imp('{ p }', '../../main/app/protocol'),
        imp('{ s }', '../../main/engine/service'),
        imp('{ api }', '../../main/contract/api'),
        imp('{ h }', '../../test/support/help'),
        'export const b = [c, p, s, api, h];',
      ),
    });
    expect(r.status).toBe(1);
    for (const target of ['main/cli/eval/command', 'main/app/protocol', 'main/engine/service', 'main/contract/api', 'test/support/help']) {
      expect(r.out).toContain(`native-models/recipes/bad.ts: imports '../../${target}' (${target})`);
    }
    expect(r.out).not.toMatch(/recipes\/ok\.ts|lib\/util\.ts/);
  });

  it("catches main's layers importing upwards, and runtime import cycles", () => {
    const r = check({
      ...allowed,
      'main/ml/up.ts': src(imp('{ s }', '../engine/service'), 'export const u = s;'),
      'main/engine/cycle-a.ts': src(imp('{ b }', './cycle-b'), 'export const a = () => b;'),
      'main/engine/cycle-b.ts': src(imp('{ a }', './cycle-a'), 'export const b = () => a;'),
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain("main/ml/up.ts: imports '../engine/service'");
    expect(r.out).toContain('import cycle: main/engine/cycle-a.ts <-> main/engine/cycle-b.ts');
  });
});
