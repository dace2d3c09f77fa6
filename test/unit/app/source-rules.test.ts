// Checklist items that are about what the code never does, pinned by reading the sources.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC } from '../../../main/contract/ipc';
import { mainWindowOptions } from '../../../main/app/window-options';

const ROOT = resolve(__dirname, '..', '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const tsFiles = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));

describe('Electron security checklist: things Trove never does', () => {
  const shell = [...tsFiles('main/app'), ...tsFiles('preload')].map((f) => ({ f, text: read(f) }));

  it('never calls shell.openExternal, and opens only item files resolved by id', () => {
    for (const { f, text } of shell) expect(text, f).not.toMatch(/openExternal/);
  });

  it('never enables Blink features, Node integration, or turns off web security / isolation', () => {
    expect(mainWindowOptions('/p').webPreferences).not.toHaveProperty('enableBlinkFeatures');
    for (const { f, text } of shell) {
      expect(text, f).not.toMatch(/enableBlinkFeatures|nodeIntegration:\s*true|contextIsolation:\s*false|sandbox:\s*false|webSecurity:\s*false|allowpopups|loadFile\(|file:\/\/.*index\.html/);
    }
  });

  it('preload uses the same IPC channel names as main (a sandboxed preload cannot import them)', () => {
    const preload = read('preload/preload.ts');
    const block = preload.slice(preload.indexOf('const IPC = {'), preload.indexOf('} as const;'));
    const channels = Object.fromEntries([...block.matchAll(/(\w+):\s*'([^']+)'/g)].map((m) => [m[1], m[2]]));
    expect(channels).toEqual({ ...IPC });
  });

  it('preload exposes one frozen object of functions, never ipcRenderer or other Electron APIs', () => {
    const preload = read('preload/preload.ts');
    const exposed = [...preload.matchAll(/exposeInMainWorld\(\s*'([^']+)'\s*,\s*([^)]+)\)/g)];
    expect(exposed.map((m) => [m[1], m[2]!.trim()])).toEqual([['trove', 'Object.freeze(api']]);
    const api = preload.slice(preload.indexOf('const api = {'), preload.indexOf('contextBridge.exposeInMainWorld'));
    expect(api).not.toMatch(/:\s*ipcRenderer\s*[,}]|\.\.\.ipcRenderer|ipcRenderer\.send\b|\bsendSync\b/);
  });

  it('validates the IPC sender frame in every main-process handler', () => {
    const main = read('main/app/main.ts');
    const handlers = [...main.matchAll(/ipcMain\.handle\(IPC\.(\w+)/g)].map((m) => m[1]);
    expect(handlers.sort()).toEqual(['chooseDataFolder', 'invoke', 'openItem', 'pickFolder', 'revealItem']);
    // invoke checks the sender inside createInvokeHandler; the others call senderAllowed directly
    expect((main.match(/senderAllowed\(event\.senderFrame\?\.url\)/g) ?? []).length).toBe(4);
    expect(main).toMatch(/invoke\(event\.senderFrame\?\.url/);
  });

  it('uses a current Electron', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    expect(Number(pkg.devDependencies.electron!.split('.')[0])).toBeGreaterThanOrEqual(45);
  });

  it('packages with hardening fuses on and only the target platform\'s onnxruntime binaries', () => {
    const yml = read('electron-builder.yml');
    for (const fuse of ['runAsNode: false', 'enableNodeOptionsEnvironmentVariable: false', 'enableNodeCliInspectArguments: false', 'enableEmbeddedAsarIntegrityValidation: true', 'onlyLoadAppFromAsar: true', 'grantFileProtocolExtraPrivileges: false', 'enableCookieEncryption: true']) {
      expect(yml).toContain(fuse);
    }
    expect(yml).toContain('npmRebuild: true');
    for (const [own, others] of [['linux', '{darwin,win32}'], ['win32', '{darwin,linux}'], ['darwin', '{linux,win32}']]) {
      expect(yml).toContain(`"!node_modules/onnxruntime-node/bin/napi-v*/${others}/**"`);
      expect(yml).toContain(`"!node_modules/onnxruntime-node/bin/napi-v*/${own}/!(\${arch})/**"`);
    }
  });

  it('packages every file the default model\'s manifest lists (a missing one fails its SHA-256 check at start)', () => {
    const yml = read('electron-builder.yml');
    const manifest = JSON.parse(read('native-models/vlm2vec-nano/manifest.json')) as { files: Record<string, string> };
    const patterns: Record<string, string> = { '.json': 'native-models/*/*.json', '.onnx': 'native-models/*/*.onnx', '.bin': 'native-models/*/*.bin' };
    for (const f of ['manifest.json', ...Object.keys(manifest.files)]) {
      const ext = f.slice(f.lastIndexOf('.'));
      expect(patterns[ext], `${f}: no packaging rule for ${ext} files`).toBeDefined();
      expect(yml.split(`- ${patterns[ext]}\n`).length - 1, `${f} in each platform's files`).toBe(3);
    }
  });

  it('packages the gazetteer, the lexicon, the COCO table and their licences (the data\'s licences ask for the notice on every copy)', () => {
    const yml = read('electron-builder.yml');
    for (const [file, pattern] of [
      ['native-models/places/places.bin.gz', 'native-models/*/*.gz'],
      ['native-models/places/LICENSE', 'native-models/*/LICENSE'],
      ['native-models/lexicon/lexicon.json.gz', 'native-models/*/*.gz'],
      ['native-models/lexicon/coco80.json', 'native-models/*/*.json'],
      ['native-models/lexicon/LICENSE', 'native-models/*/LICENSE'],
    ]) {
      expect(read(file).length, file).toBeGreaterThan(0);
      expect(yml.split(`- ${pattern}\n`).length - 1, `${file} in each platform's files`).toBe(3);
    }
  });
});
