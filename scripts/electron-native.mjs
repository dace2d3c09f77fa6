// `npm start` runs Trove in Electron, whose Node has another ABI than the Node that runs
// `npm test`. better-sqlite3 is a V8-API addon, so one build cannot serve both. This
// script builds (or downloads) better-sqlite3 for the installed Electron into
// .electron-native/ and leaves node_modules' Node build alone; the app hands the file to
// better-sqlite3's `nativeBinding` option (TROVE_SQLITE_BINDING). Packaged apps do not
// need it: electron-builder rebuilds node_modules for Electron (npmRebuild).
// Needs internet the first time (Electron headers or a prebuilt binary).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const electron = require('electron/package.json').version;
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqlite = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const outDir = join(root, '.electron-native');
const out = join(outDir, 'better_sqlite3.node');
const stamp = `${out}.version`;
const want = `electron ${electron} better-sqlite3 ${sqlite} ${process.platform}-${process.arch}`;

if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) process.exit(0);

console.log(`Building better-sqlite3 ${sqlite} for Electron ${electron} (once) ...`);
const work = mkdtempSync(join(tmpdir(), 'trove-electron-native-'));
try {
  cpSync(sqliteDir, work, { recursive: true, filter: (p) => !p.includes(`${join(sqliteDir, 'build')}`) });
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, stdio: 'inherit' });
  try {
    run(bin('prebuild-install'), ['--runtime', 'electron', '--target', electron, '--arch', process.arch]);
  } catch {
    console.log('No prebuilt binary; compiling against Electron headers instead.');
    run(bin('node-gyp'), ['rebuild', '--release', '--runtime=electron', `--target=${electron}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers']);
  }
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), out);
  writeFileSync(stamp, want);
  console.log(`Wrote ${out}`);
} catch (err) {
  console.error(`Could not build better-sqlite3 for Electron ${electron}: ${err.message}\nThis needs internet once (Electron headers or a prebuilt binary). Check the connection and run \`npm start\` again.`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
