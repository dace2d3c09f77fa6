// Fetching sources: Debian packages with `apt-get download` into a cache, unpacked with
// `dpkg -x`; a private copy of Debian's package indexes (with English long
// descriptions) fetched with `apt-get update` into the cache, leaving the system's
// lists alone. Everything is recorded (name, version, sha256) for provenance.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../main/base/hash';

export interface FetchedPackage {
  name: string;
  version: string;
  deb: string;
  sha256: string;
  /** the unpacked root (dpkg -x) */
  root: string;
}

function sha256File(p: string): string {
  return sha256(readFileSync(p));
}

function findDeb(dir: string, name: string): string | null {
  if (!existsSync(dir)) return null;
  const hit = readdirSync(dir)
    .filter((f) => f.endsWith('.deb') && f.split('_')[0] === name)
    .sort();
  return hit.length ? join(dir, hit[hit.length - 1]!) : null;
}

export interface FetchOptions {
  cacheDir: string;
  /** folders that may already hold .deb files (checked before downloading) */
  seedDirs?: string[];
  log?: (msg: string) => void;
}

/** Downloads (once) and unpacks (once) a Debian package. */
export function fetchDeb(name: string, opts: FetchOptions): FetchedPackage {
  const debDir = join(opts.cacheDir, 'debs');
  const unpackDir = join(opts.cacheDir, 'unpacked', name);
  mkdirSync(debDir, { recursive: true });
  let deb = findDeb(debDir, name);
  if (!deb) {
    for (const s of opts.seedDirs ?? []) {
      const seeded = findDeb(s, name);
      if (seeded) {
        deb = join(debDir, seeded.split('/').pop()!);
        copyFileSync(seeded, deb);
        opts.log?.(`  ${name}: copied from ${s}`);
        break;
      }
    }
  }
  if (!deb) {
    opts.log?.(`  ${name}: apt-get download`);
    execFileSync('apt-get', ['download', name], { cwd: debDir, stdio: ['ignore', 'ignore', 'pipe'] });
    deb = findDeb(debDir, name);
    if (!deb) throw new Error(`apt-get download ${name} left no .deb in ${debDir}`);
  }
  const version = decodeURIComponent(deb.split('/').pop()!.split('_')[1] ?? '?');
  const marker = join(unpackDir, '.unpacked');
  if (!existsSync(marker)) {
    mkdirSync(unpackDir, { recursive: true });
    execFileSync('dpkg', ['-x', deb, unpackDir]);
    writeFileSync(marker, version + '\n');
  }
  return { name, version, deb, sha256: sha256File(deb), root: unpackDir };
}

export interface AptIndexes {
  /** uncompressed Packages files (main archive first) */
  packages: string[];
  /** uncompressed Translation-en files */
  translations: string[];
  /** the Date: line of the main archive's InRelease */
  date: string;
}

/** A private `apt-get update` into the cache (once), with English descriptions, uncompressed. */
export function fetchAptIndexes(opts: FetchOptions): AptIndexes {
  const lists = join(opts.cacheDir, 'apt-lists');
  const marker = join(lists, '.updated');
  if (!existsSync(marker)) {
    mkdirSync(join(lists, 'partial'), { recursive: true });
    opts.log?.('  apt-get update (private lists, Translation-en)');
    execFileSync(
      'apt-get',
      ['update', '-o', `Dir::State::Lists=${lists}`, '-o', 'Acquire::Languages=en', '-o', 'Acquire::GzipIndexes=false'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    writeFileSync(marker, new Date().toISOString() + '\n');
  }
  const files = readdirSync(lists).sort();
  // the main archive (…_debian_dists_bookworm_…) before updates/security
  const rank = (f: string) => (/_dists_[a-z]+_(main_|InRelease)/.test(f) ? 0 : 1);
  const pick = (re: RegExp) =>
    files
      .filter((f) => re.test(f))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((f) => join(lists, f));
  const inRelease = pick(/_InRelease$/)[0];
  const date = inRelease ? (/^Date: (.*)$/m.exec(readFileSync(inRelease, 'utf8'))?.[1] ?? '?') : '?';
  return { packages: pick(/_binary-[a-z0-9]+_Packages$/), translations: pick(/_i18n_Translation-en$/), date };
}

/** Fetches (once) an npm package tarball with `npm pack` and unpacks it; root is its `package/` folder. */
export function fetchNpm(spec: string, opts: FetchOptions): FetchedPackage {
  const dir = join(opts.cacheDir, 'npm');
  mkdirSync(dir, { recursive: true });
  const [name, version] = [spec.slice(0, spec.lastIndexOf('@')), spec.slice(spec.lastIndexOf('@') + 1)];
  const tgz = join(dir, `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}.tgz`);
  if (!existsSync(tgz)) {
    opts.log?.(`  ${spec}: npm pack`);
    execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!existsSync(tgz)) throw new Error(`npm pack ${spec} left no ${tgz}`);
  }
  const unpackDir = join(opts.cacheDir, 'unpacked', `npm-${name.replace(/\//g, '-')}`);
  const marker = join(unpackDir, '.unpacked');
  if (!existsSync(marker)) {
    mkdirSync(unpackDir, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', unpackDir]);
    writeFileSync(marker, version + '\n');
  }
  return { name, version, deb: tgz, sha256: sha256File(tgz), root: join(unpackDir, 'package') };
}
