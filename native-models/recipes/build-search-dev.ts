// Builds the search development library: a real person's folder as Trove meets it (camera-
// named photos in date and trip folders, EXIF dates, cameras and GPS, photographed
// receipts and tickets, screenshots, notes) and the queries it is judged on, with
// relevance labels. `trove eval --search DIR` runs it.
//
//   npx tsx native-models/recipes/build-search-dev.ts [--out DIR] [--cache DIR] [--seed S] [--jobs N]
//
// Output (DIR, default .trove-build/search-dev; library/ is replaced):
//   library/       the photos and notes
//   queries.json   [{ kind, query, relevant: [paths inside library/] }]
//   manifest.json  every file: its source (package, version, path), labels, trip, date, GPS
//   README.md      what is in it, sources and licences, counts
// Sources: Debian packages (search-dev/sources.ts), none of them reserved for evaluation
// (gcompris-qt-data, python3-skimage). Everything random follows from --seed.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SearchQueries } from '../../main/ml/eval/search-set';
import { installDocumentFonts } from './lib/document-fonts';
import { fetchDeb, type FetchedPackage } from './lib/fetch';
import { mapPool } from './lib/out';
import { Rng } from './lib/rng';
import { EVENTS } from './search-dev/camera-roll';
import { backgroundsFor, CUTOUTS } from './search-dev/cutouts';
import { DOCUMENTS } from './search-dev/documents';
import { planLibrary, type PlannedImage } from './search-dev/layout';
import { listNotes, screenshotName, SCREENSHOTS } from './search-dev/notes';
import { expandLabels, REAL_PHOTOS } from './search-dev/photos';
import { buildQueries, type LibraryImage } from './search-dev/queries';
import { renderCutout, renderDocument, renderPhoto, renderScreenshot } from './search-dev/render';
import { PACKAGES, writeReadme } from './search-dev/readme';

interface Args {
  out: string;
  cache: string;
  seed: string;
  jobs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: '.trove-build/search-dev', cache: '.trove-build/cache', seed: 'search-dev-v1', jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    if (!['--out', '--cache', '--seed', '--jobs'].includes(k)) throw new Error(`unknown argument ${k} (known: --out DIR, --cache DIR, --seed S, --jobs N)`);
    if (v === undefined) throw new Error(`${k} needs a value`);
    i++;
    if (k === '--out') a.out = v;
    else if (k === '--cache') a.cache = v;
    else if (k === '--seed') a.seed = v;
    else {
      a.jobs = Number(v);
      if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new Error(`--jobs must be a whole number >= 1, got "${v}"`);
    }
  }
  return a;
}

export interface ManifestEntry {
  path: string;
  id: string;
  source: LibraryImage['source'] | 'note';
  from: { pkg: string; version: string; path: string }[];
  labels: string[];
  people: number;
  event: string | null;
  place: string | null;
  taken: string;
  gps: { lat: number; lon: number } | null;
  camera: string | null;
  orientation: number;
  text?: string;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const out = resolve(args.out);
  const cacheDir = resolve(args.cache);
  const log = (s: string) => console.log(s);
  // fontconfig must see the document fonts before anything renders an SVG
  await installDocumentFonts(cacheDir);

  log('Fetching packages');
  const pkgs = new Map<string, FetchedPackage>();
  for (const p of PACKAGES) pkgs.set(p.name, fetchDeb(p.name, { cacheDir, log }));
  const file = (pkg: string, path: string) => {
    const root = pkgs.get(pkg)?.root;
    if (!root) throw new Error(`package ${pkg} is not in search-dev/readme.ts PACKAGES`);
    const f = join(root, path);
    if (!existsSync(f)) throw new Error(`${pkg} ${pkgs.get(pkg)!.version} has no ${path}`);
    return f;
  };
  const from = (pkg: string, path: string) => ({ pkg, version: pkgs.get(pkg)!.version, path });

  // 1. the plan: every picture with its day, camera, place, file name
  const planned: PlannedImage[] = [
    ...REAL_PHOTOS.map((p): PlannedImage => ({ id: p.id, source: 'photo', event: p.event, ...(p.season ? { season: p.season } : {}), ...(p.small ? { small: true } : {}) })),
    ...CUTOUTS.map((c): PlannedImage => ({ id: c.id, source: 'cutout', event: c.event, ...(c.season ? { season: c.season } : {}) })),
    ...DOCUMENTS.map((d): PlannedImage => ({ id: d.id, source: 'document', event: d.event, date: d.date })),
    ...SCREENSHOTS.map((s): PlannedImage => ({ id: s.id, source: 'screenshot', event: 'home', instant: s.when, fileName: screenshotName(s) })),
  ];
  const plan = planLibrary(planned, args.seed);
  const root = new Rng(args.seed);

  const library = join(out, 'library');
  rmSync(library, { recursive: true, force: true });
  mkdirSync(library, { recursive: true });
  const surfaces = ['table', 'wood'].map((id) => readFileSync(file(id === 'table' ? 'puzzle-jigsaw' : 'mate-backgrounds', id === 'table' ? 'usr/share/puzzle-jigsaw/images/table.png' : 'usr/share/backgrounds/mate/nature/Wood.jpg')));

  // 2. render and write each picture
  const manifest: ManifestEntry[] = [];
  const images: LibraryImage[] = [];
  let done = 0;
  const jobs = planned.map((img) => async () => {
    const p = plan.get(img.id)!;
    const r = root.fork(`render:${img.id}`);
    let bytes: Buffer;
    let labels: string[];
    let people = 0;
    let sources: ManifestEntry['from'];
    let text: string | undefined;
    if (img.source === 'photo') {
      const spec = REAL_PHOTOS.find((x) => x.id === img.id)!;
      bytes = await renderPhoto(readFileSync(file(spec.pkg, spec.path)), spec, p, r);
      labels = spec.labels;
      people = spec.people ?? 0;
      sources = [from(spec.pkg, spec.path)];
    } else if (img.source === 'cutout') {
      const cut = CUTOUTS.find((x) => x.id === img.id)!;
      const bg = r.pick(backgroundsFor(cut.setting));
      bytes = await renderCutout(readFileSync(file(bg.pkg, bg.path)), bg, cut.stamps.map((s) => file('tuxpaint-stamps-default', s)), cut, p, r);
      labels = [...cut.labels, ...bg.scene];
      sources = [...cut.stamps.map((s) => from('tuxpaint-stamps-default', s)), from(bg.pkg, bg.path)];
    } else if (img.source === 'document') {
      const doc = DOCUMENTS.find((x) => x.id === img.id)!;
      const rendered = await renderDocument(doc, p, surfaces, cacheDir, r);
      bytes = rendered.jpeg;
      text = rendered.text;
      labels = [doc.kind, ...(doc.labels ?? [])];
      sources = [{ pkg: 'document-photos', version: 'recipes/lib/document-photos.ts', path: doc.id }];
    } else {
      const s = SCREENSHOTS.find((x) => x.id === img.id)!;
      bytes = await renderScreenshot(readFileSync(file(s.pkg, s.path)));
      labels = s.labels;
      sources = [from(s.pkg, s.path)];
    }
    const dest = join(library, p.path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, bytes);
    utimesSync(dest, p.when, p.when);
    const docKind = img.source === 'document' ? DOCUMENTS.find((x) => x.id === img.id)!.kind : undefined;
    images.push({ path: p.path, id: img.id, source: img.source, labels: expandLabels(labels), people, event: img.event, when: p.when, gps: p.gps !== null, ...(docKind ? { docKind } : {}) });
    const ev = EVENTS[img.event];
    manifest.push({
      path: p.path,
      id: img.id,
      source: img.source,
      from: sources,
      labels: [...expandLabels(labels)].sort(),
      people,
      event: img.event,
      place: p.gps ? `${ev.place.name}, ${ev.place.country}` : null,
      taken: p.when.toISOString(),
      gps: p.gps ? { lat: +p.gps.lat.toFixed(6), lon: +p.gps.lon.toFixed(6) } : null,
      camera: p.camera ? `${p.camera.make} ${p.camera.model}` : null,
      orientation: p.orientation,
      ...(text !== undefined ? { text } : {}),
    });
    if (++done % 20 === 0) log(`  ${done}/${planned.length} pictures`);
  });
  await mapPool(jobs, args.jobs, (job) => job());

  // 3. notes
  const notes = listNotes(root.fork('notes'));
  for (const n of notes) {
    const dest = join(library, n.path);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(n.file, dest);
    utimesSync(dest, n.date, n.date);
    manifest.push({ path: n.path, id: n.path, source: 'note', from: [{ pkg: 'trove', version: 'native-models/recipes/search-dev/notes', path: n.path }], labels: [], people: 0, event: null, place: null, taken: n.date.toISOString(), gps: null, camera: null, orientation: 1 });
  }

  // 4. queries, checked against the same schema `trove eval --search` reads
  images.sort((a, b) => a.path.localeCompare(b.path));
  manifest.sort((a, b) => a.path.localeCompare(b.path));
  const queries = SearchQueries.parse(buildQueries(images, notes.map((n) => n.path)));
  writeFileSync(join(out, 'queries.json'), JSON.stringify(queries, null, 1) + '\n');
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ seed: args.seed, packages: [...pkgs.values()].map((p) => ({ name: p.name, version: p.version, sha256: p.sha256 })), files: manifest }, null, 1) + '\n');
  writeReadme(join(out, 'README.md'), { seed: args.seed, pkgs: [...pkgs.values()], images, notes: notes.map((n) => n.path), queries, manifest });
  log(`Wrote ${images.length} pictures and ${notes.length} notes to ${library}, ${queries.length} queries to ${join(out, 'queries.json')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
