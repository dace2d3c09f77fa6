// The packages the search dev library is made from (with the licence their Debian
// copyright file gives for the files used) and the README written next to the library.
import { writeFileSync } from 'node:fs';
import type { SearchQuery } from '../../../main/ml/eval/search-set';
import type { FetchedPackage } from '../lib/fetch';
import type { LibraryImage } from './queries';

export interface SourcePackage {
  name: string;
  /** the licence of the files used, from /usr/share/doc/<name>/copyright */
  licence: string;
  used: string;
}

export const PACKAGES: SourcePackage[] = [
  { name: 'opencv-doc', licence: 'sample data BSD-3-Clause (data/*), documentation Apache-2.0 AND BSD-3-Clause', used: 'sample photos (examples/data, text, hfs, alphamat) and tutorial photos without overlays; two street photos as backgrounds' },
  { name: 'plasma-workspace-wallpapers', licence: 'GPL-2+ (KDE Visual Design Group)', used: 'the photographic wallpapers; some as backgrounds' },
  { name: 'palapeli-data', licence: 'GPL-2+', used: 'the five puzzle photos' },
  { name: 'python-matplotlib-data', licence: 'matplotlib licence (PSF-style); grace_hopper.jpg is a US Navy photograph (public domain)', used: 'sample_data/grace_hopper.jpg' },
  { name: 'mate-backgrounds', licence: 'GPL-2+ (per-file authors in the copyright file)', used: 'nature photographs; some as backgrounds' },
  { name: 'lomiri-wallpapers-16.04', licence: 'CC-BY-4.0 (Aitzol Berasategi) / CC-BY-SA-4.0 (others), per file', used: 'photographic wallpapers' },
  { name: 'lomiri-wallpapers-20.04', licence: 'CC-BY-SA-3.0 (Kleiber_by_Lukas_Baubkus.jpg)', used: 'one photograph' },
  { name: 'kphotoalbum', licence: 'GPL-2+', used: 'the demo album (a real camera roll) and two documentation screenshots' },
  { name: 'puzzle-jigsaw', licence: 'samples CC0-1.0 (Pexels); images/table.png GPL-3+', used: 'two sample photos; the table as a surface for documents' },
  { name: 'tuxpaint-stamps-default', licence: 'GPL-2', used: 'photo cut-outs (animals, food, instruments, vehicles), set into backgrounds' },
  { name: 'marble-data', licence: 'documentation GFDL-1.2', used: 'three documentation screenshots' },
];

export interface ReadmeInput {
  seed: string;
  pkgs: FetchedPackage[];
  images: LibraryImage[];
  notes: string[];
  queries: SearchQuery[];
  manifest: { path: string; labels: string[]; camera: string | null; orientation: number; place: string | null }[];
}

const count = <T>(xs: T[], key: (x: T) => string) => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

export function writeReadme(file: string, x: ReadmeInput): void {
  const versions = new Map(x.pkgs.map((p) => [p.name, p.version]));
  const bySource = count(x.images, (i) => i.source);
  const labelCounts = count(
    x.images.filter((i) => i.source === 'photo' || i.source === 'cutout').flatMap((i) => [...i.labels].map((l) => ({ l }))),
    (o) => o.l,
  );
  const cameras = count(x.manifest.filter((m) => m.camera), (m) => m.camera!);
  const places = count(x.manifest.filter((m) => m.place), (m) => m.place!);
  const years = count(x.images, (i) => String(i.when.getUTCFullYear())).sort((a, b) => a[0].localeCompare(b[0]));
  const kinds = count(x.queries, (q) => q.kind);
  const rel = x.queries.map((q) => q.relevant.length);
  const lines = [
    '# Search development library',
    '',
    'Built by `npx tsx native-models/recipes/build-search-dev.ts` (seed `' + x.seed + '`); run it with',
    '`trove eval --search DIR`. It is for developing and tuning search: the held-out library',
    'Trove is judged on is another one, never seen here.',
    '',
    '## What is in it',
    '',
    `- ${x.images.length} pictures: ${bySource.map(([k, n]) => `${n} ${k === 'photo' ? 'real photos' : k === 'cutout' ? 'photo cut-outs set into real backgrounds' : k === 'document' ? 'photographed documents (receipts, tickets, wifi cards, menus, signs, letters, labels, posters)' : 'screenshots'}`).join(', ')}.`,
    `- ${x.notes.length} notes (.md, .txt), written for this library: recipes, trip plans, packing lists, meeting notes, book notes, a garden log, car maintenance, a budget, journal entries, gift ideas and more.`,
    `- Files named as cameras name them (IMG_1234.JPG, DSC01234.JPG, PXL_20220210_101530123.jpg, 20160514_143012.jpg, IMG-20190613-WA0004.jpg, "Screenshot 2021-03-04 at 10.12.33.png"), in date folders (Photos/2019/06/), trip folders (Photos/Lisbon 2019/, Photos/Iceland trip/), Camera Uploads/, WhatsApp Images/ or loose.`,
    `- EXIF: DateTimeOriginal, Make/Model, GPS on every camera photo of a trip and most home photos (none on messaging-app copies and screenshots), orientation 3/6/8 on ${x.manifest.filter((m) => m.orientation !== 1).length} photos (pixels stored turned, so the tag puts them upright).`,
    `- Sizes: mostly 2-4 MP, about one in eight at 12 MP (4032x3024), messaging-app copies at most 1600 px.`,
    '',
    'Cameras: ' + cameras.map(([k, n]) => `${k} (${n})`).join(', '),
    '',
    'Places (photos with GPS): ' + places.map(([k, n]) => `${k} (${n})`).join(', '),
    '',
    'Kept out on purpose (the query parser must not treat them as places of this library): New York, Kyoto, Edinburgh, Barcelona, Cape Town, Sydney. Kyoto and Edinburgh appear in notes only.',
    '',
    'Years: ' + years.map(([k, n]) => `${k} (${n})`).join(', '),
    '',
    'What the photos show (labels, with broader words such as "animal", "bird", "fruit"): ' + labelCounts.map(([k, n]) => `${k} ${n}`).join(', '),
    '',
    '## Queries',
    '',
    `${x.queries.length} queries in queries.json: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}. Relevant items per query: ${Math.min(...rel)} to ${Math.max(...rel)} (median ${[...rel].sort((a, b) => a - b)[Math.floor(rel.length / 2)]}).`,
    '',
    '- object: every photo that shows the thing (from the labels table in search-dev/photos.ts and search-dev/cutouts.ts, checked by looking at each photo).',
    '- text: the photographed documents (and signs) whose text answers the query.',
    '- place, date: photos whose GPS (place) or date (from EXIF, or the file name for screenshots and messaging-app copies) falls there.',
    '- note-words: words that appear in the note; note-meaning: paraphrases sharing few words with it.',
    '- mixed: the conjunction of the above (an object and a place, a document kind and a year...).',
    '',
    '## Sources and licences',
    '',
    'Only Debian packages, none reserved for evaluation (gcompris-qt-data and python3-skimage are never used). Nothing of this folder is committed: the recipe rebuilds it.',
    '',
    '| package | version | licence of the files used | used for |',
    '|---|---|---|---|',
    ...PACKAGES.map((p) => `| ${p.name} | ${versions.get(p.name) ?? '?'} | ${p.licence} | ${p.used} |`),
    '',
    'Documents are rendered by native-models/recipes/lib/document-photos.ts in free fonts from Debian (see that file). The notes are original to Trove. manifest.json lists every file with its sources (package, version, path), labels, trip, place, date, GPS and camera.',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
