// Makes the HEIC photos the tests read (test/fixtures/photos/heic/): real photos from
// test/fixtures/photos/coral/ encoded by Debian's libheif (heif-enc, x265), with EXIF
// metadata written by Debian's exiftool.
//
//   npx tsx native-models/recipes/make-heic-fixtures.ts [--out DIR] [--cache DIR]
//
// - south-haven-kite.heic: kite_and_cold.jpg ("South Haven, Day 3" says its EXIF) with GPS
//   added for South Haven, Michigan; its EXIF date and camera are the photo's own.
// - pets-rotated.heic: pets.jpg stored a quarter turn anticlockwise, set upright the way a
//   phone does it: an `irot` property (libheif 1.15's heif-enc writes none, so it is added
//   to the file's boxes here) and EXIF Orientation 6, which HEIF readers must not apply on
//   top of irot (a reader that does shows the photo upside down).
//
// Tests never encode (a fresh machine has no heif-enc): they read these files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { outAndCache } from './lib/args';
import { fetchDeb, type FetchedPackage } from './lib/fetch';

const CORAL = resolve(__dirname, '..', '..', 'test', 'fixtures', 'photos', 'coral');
/** heif-enc, the libraries it loads (whatever the machine has installed), exiftool */
const PACKAGES = ['libheif-examples', 'libheif1', 'libde265-0', 'libx265-199', 'libaom3', 'libdav1d6', 'libjpeg62-turbo', 'libpng16-16', 'libimage-exiftool-perl'];
const QUALITY = 40;
/** South Haven, Michigan (GeoNames) */
const SOUTH_HAVEN = { lat: 42.4031, lon: -86.2736 };

interface Box {
  type: string;
  start: number;
  /** where the contents begin (after the header, and after version/flags for full boxes) */
  body: number;
  end: number;
}

function boxesIn(buf: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to; ) {
    const size = buf.readUInt32BE(at);
    if (size < 8) throw new Error(`box at ${at}: size ${size} is not supported here`);
    out.push({ type: buf.toString('latin1', at + 4, at + 8), start: at, body: at + 8, end: at + size });
    at += size;
  }
  return out;
}

function child(buf: Buffer, parent: Box, type: string, full = false): Box {
  const b = boxesIn(buf, parent.body, parent.end).find((x) => x.type === type);
  if (!b) throw new Error(`no ${type} box in ${parent.type}`);
  return full ? { ...b, body: b.body + 4 } : b;
}

/**
 * Adds an essential `irot` property (angle x 90 degrees anticlockwise) to the primary item:
 * the box at the end of ipco, its index in the item's ipma entry, every enclosing box
 * resized, and the file offsets in iloc moved past the longer meta box.
 */
export function addRotation(file: Buffer, quarterTurnsAnticlockwise: 1 | 2 | 3): Buffer {
  const buf = Buffer.from(file);
  const top = { type: 'file', start: 0, body: 0, end: buf.length };
  const meta = child(buf, top, 'meta', true);
  const pitm = child(buf, meta, 'pitm', true);
  if (buf[pitm.start + 8] !== 0) throw new Error('pitm version 1 is not supported here');
  const primary = buf.readUInt16BE(pitm.body);
  const iprp = child(buf, meta, 'iprp');
  const ipco = child(buf, iprp, 'ipco');
  const ipma = child(buf, iprp, 'ipma', true);
  const ipmaVersion = buf[ipma.start + 8]!;
  const wideIndex = (buf.readUInt32BE(ipma.start + 8) & 1) === 1;
  const propertyIndex = boxesIn(buf, ipco.body, ipco.end).length + 1;

  // the primary item's ipma entry
  let at = ipma.body + 4;
  let entry = -1;
  let entryEnd = -1;
  for (let n = buf.readUInt32BE(ipma.body); n > 0; n--) {
    const id = ipmaVersion < 1 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    const countAt = at + (ipmaVersion < 1 ? 2 : 4);
    const next = countAt + 1 + buf[countAt]! * (wideIndex ? 2 : 1);
    if (id === primary) [entry, entryEnd] = [countAt, next];
    at = next;
  }
  if (entry < 0) throw new Error(`item ${primary} has no ipma entry`);
  const association = wideIndex ? Buffer.from([0x80 | (propertyIndex >> 8), propertyIndex & 0xff]) : Buffer.from([0x80 | propertyIndex]);
  const irot = Buffer.from([0, 0, 0, 9, ...Buffer.from('irot', 'latin1'), quarterTurnsAnticlockwise]);
  const grow = irot.length + association.length;

  // iloc: file offsets of the data after meta move by `grow`
  const iloc = child(buf, meta, 'iloc', true);
  const ilocVersion = buf[iloc.start + 8]!;
  const sizes = buf.readUInt16BE(iloc.body);
  const [offsetSize, lengthSize, baseSize, indexSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15, ilocVersion > 0 ? sizes & 15 : 0];
  const readN = (p: number, n: number) => (n === 0 ? 0 : n === 4 ? buf.readUInt32BE(p) : Number(buf.readBigUInt64BE(p)));
  const writeN = (p: number, n: number, v: number) => (n === 4 ? buf.writeUInt32BE(v, p) : buf.writeBigUInt64BE(BigInt(v), p));
  at = iloc.body + 2;
  const items = ilocVersion < 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
  at += ilocVersion < 2 ? 2 : 4;
  for (let i = 0; i < items; i++) {
    at += ilocVersion < 2 ? 2 : 4;
    const method = ilocVersion > 0 ? buf.readUInt16BE(at) & 15 : 0;
    at += (ilocVersion > 0 ? 2 : 0) + 2;
    if (method !== 0) throw new Error('iloc construction methods other than file offsets are not supported here');
    const base = readN(at, baseSize);
    const baseAt = at;
    at += baseSize;
    const extents = buf.readUInt16BE(at);
    at += 2;
    for (let e = 0; e < extents; e++) {
      at += indexSize;
      const offset = readN(at, offsetSize);
      if (base + offset < meta.end) throw new Error('an item lies before the end of meta');
      if (baseSize === 0) writeN(at, offsetSize, offset + grow);
      at += offsetSize + lengthSize;
    }
    if (baseSize > 0) writeN(baseAt, baseSize, base + grow);
  }

  // sizes of every box that gets longer
  const resize = (b: Box, by: number) => buf.writeUInt32BE(b.end - b.start + by, b.start);
  resize(meta, grow);
  resize(iprp, grow);
  resize(ipco, irot.length);
  resize(ipma, association.length);
  buf[entry]!++;
  // the new property after the item's others (transformations come last)
  const inserts = [
    { at: ipco.end, bytes: irot },
    { at: entryEnd, bytes: association },
  ].sort((a, b) => a.at - b.at);
  return Buffer.concat([buf.subarray(0, inserts[0]!.at), inserts[0]!.bytes, buf.subarray(inserts[0]!.at, inserts[1]!.at), inserts[1]!.bytes, buf.subarray(inserts[1]!.at)]);
}

/** heif-enc and exiftool from Debian's packages (fetched once into `cache`), runnable whatever the machine has installed. */
export function heifTools(cache: string): { heifEnc: (args: string[]) => void; exiftool: (args: string[]) => void; packages: FetchedPackage[] } {
  const packages = PACKAGES.map((name) => fetchDeb(name, { cacheDir: cache, log: (m) => console.error(m) }));
  const root = (name: string) => packages.find((p) => p.name === name)!.root;
  const libs = packages.map((p) => join(p.root, 'usr', 'lib', 'x86_64-linux-gnu')).join(':');
  const env = { ...process.env, LD_LIBRARY_PATH: libs };
  const heifEnc = (args: string[]) => void execFileSync(join(root('libheif-examples'), 'usr', 'bin', 'heif-enc'), args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const et = root('libimage-exiftool-perl');
  const exiftool = (args: string[]) => void execFileSync('perl', ['-I', join(et, 'usr', 'share', 'perl5'), join(et, 'usr', 'bin', 'exiftool'), '-q', '-overwrite_original', ...args], { stdio: 'inherit' });
  return { heifEnc, exiftool, packages };
}

async function main() {
  const args = outAndCache(process.argv.slice(2), 'test/fixtures/photos/heic');
  const out = resolve(args.out);
  const work = resolve(args.cache, 'heic-fixtures');
  mkdirSync(out, { recursive: true });
  mkdirSync(work, { recursive: true });
  const { heifEnc, exiftool, packages } = heifTools(resolve(args.cache));

  const kite = join(work, 'kite.jpg');
  writeFileSync(kite, readFileSync(join(CORAL, 'kite_and_cold.jpg')));
  exiftool([`-GPSLatitude=${SOUTH_HAVEN.lat}`, '-GPSLatitudeRef=N', `-GPSLongitude=${-SOUTH_HAVEN.lon}`, '-GPSLongitudeRef=W', kite]);
  heifEnc(['-q', String(QUALITY), '-o', join(out, 'south-haven-kite.heic'), kite]);

  const pets = join(work, 'pets-sideways.jpg');
  await sharp(join(CORAL, 'pets.jpg')).rotate(-90).jpeg({ quality: 95 }).toFile(pets);
  exiftool(['-Orientation#=6', pets]);
  const sideways = join(work, 'pets-sideways.heic');
  heifEnc(['-q', String(QUALITY), '-o', sideways, pets]);
  // the stored pixels turn upright a quarter turn clockwise: three quarter turns anticlockwise
  writeFileSync(join(out, 'pets-rotated.heic'), addRotation(readFileSync(sideways), 3));

  for (const f of ['south-haven-kite.heic', 'pets-rotated.heic']) console.log(`${f}: ${readFileSync(join(out, f)).length} bytes`);
  for (const p of packages) console.log(`${p.name} ${p.version} sha256 ${p.sha256}`);
}

if (require.main === module) void main();
