// Readers for the offline sources. Each returns plain records (ids, labels, texts, file
// paths); images are made elsewhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, extname, join, relative } from 'node:path';

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** 'A red kangaroo.' -> 'red kangaroo'; null when it is not a short noun phrase */
export function shortName(sentence: string): string | null {
  const s = sentence
    .trim()
    .replace(/[.!]+$/, '')
    .replace(/^(a|an|the|some)\s+/i, '')
    .trim();
  if (!/^[A-Za-z][A-Za-z' -]*$/.test(s)) return null;
  const words = s.split(/\s+/);
  if (words.length > 3 || s.length > 28) return null;
  return s.toLowerCase();
}

const IRREGULAR: Record<string, string> = {
  sheep: 'sheep', deer: 'deer', fish: 'fish', moose: 'moose', bison: 'bison', salmon: 'salmon', shrimp: 'shrimp', squid: 'squid',
  mouse: 'mice', goose: 'geese', person: 'people', man: 'men', woman: 'women', child: 'children', tooth: 'teeth', foot: 'feet', ox: 'oxen',
  tomato: 'tomatoes', potato: 'potatoes', mango: 'mangoes', hero: 'heroes', volcano: 'volcanoes', cactus: 'cacti', leaf: 'leaves', loaf: 'loaves', wolf: 'wolves', knife: 'knives', scarf: 'scarves', shelf: 'shelves', calf: 'calves', elf: 'elves',
};

/** English plural of a short noun phrase (its last word), with the irregulars that occur here. */
export function plural(name: string): string {
  const words = name.split(' ');
  const w = words[words.length - 1]!;
  let p: string;
  if (IRREGULAR[w.toLowerCase()]) p = IRREGULAR[w.toLowerCase()]!;
  else if (/(s|x|z|ch|sh)$/.test(w)) p = w + 'es';
  else if (/[^aeiou]y$/.test(w)) p = w.slice(0, -1) + 'ies';
  else p = w + 's';
  return [...words.slice(0, -1), p].join(' ');
}

// ---------------------------------------------------------------- tuxpaint
export interface TuxStamp {
  id: string; // path under stamps/, without extension
  file: string; // .png or .svg
  category: string; // top-level folder
  subcategory: string; // second-level folder or the category
  caption: string; // the English sentence
  name: string | null; // short noun phrase from the caption
  isPng: boolean;
}

export function readTuxpaint(root: string): TuxStamp[] {
  const base = join(root, 'usr/share/tuxpaint/stamps');
  const out: TuxStamp[] = [];
  for (const p of walk(base)) {
    const ext = extname(p);
    if (ext !== '.png' && ext !== '.svg') continue;
    if (/_(mirror|flip|back)\.(png|svg)$/.test(p)) continue; // alternate views of the same stamp
    const stem = p.slice(0, -ext.length);
    let caption: string;
    try {
      caption = readFileSync(stem + '.txt', 'utf8').split('\n')[0]!.trim();
    } catch {
      continue;
    }
    if (!caption || caption.includes('=')) continue;
    const rel = relative(base, stem);
    const parts = rel.split('/');
    // an SVG with a PNG of the same stem: keep the PNG
    if (ext === '.svg') {
      try {
        statSync(stem + '.png');
        continue;
      } catch {
        /* no png: keep the svg */
      }
    }
    out.push({
      id: rel,
      file: p,
      category: parts[0]!,
      subcategory: parts.length > 2 ? parts[1]! : parts[0]!,
      caption,
      name: shortName(caption),
      isPng: ext === '.png',
    });
  }
  return out;
}

// ---------------------------------------------------------------- openclipart
export interface ClipArt {
  id: string; // path under png/, without extension
  png: string;
  category: string;
  title: string | null; // the work's dc:title when it is a real, specific title
  name: string | null; // a short name from the title
}

function svgTitle(svgFile: string): string | null {
  let text: string;
  try {
    text = readFileSync(svgFile, 'utf8');
  } catch {
    return null;
  }
  const m = /<dc:title>([^<]*)<\/dc:title>/.exec(text);
  if (!m) return null;
  return m[1]!
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function readOpenclipart(pngRoot: string, svgRoot: string): ClipArt[] {
  const pngBase = join(pngRoot, 'usr/share/openclipart/png');
  const svgBase = join(svgRoot, 'usr/share/openclipart/svg');
  const raw: { id: string; png: string; category: string; title: string | null }[] = [];
  for (const p of walk(pngBase)) {
    if (!p.endsWith('.png')) continue;
    const id = relative(pngBase, p).slice(0, -4);
    raw.push({ id, png: p, category: id.split('/')[0]!, title: svgTitle(join(svgBase, id + '.svg')) });
  }
  // collection names ("gramastar", "Part of the Flat Icon Collection ...") repeat: not titles of the work
  const counts = new Map<string, number>();
  for (const r of raw) if (r.title) counts.set(r.title.toLowerCase(), (counts.get(r.title.toLowerCase()) ?? 0) + 1);
  return raw.map((r) => {
    let title = r.title;
    if (
      !title ||
      (counts.get(title.toLowerCase()) ?? 0) > 3 ||
      title.length < 3 ||
      title.length > 80 ||
      !/[a-z]{3}/i.test(title) ||
      /clipart by|collection|icon set|iconset|theme|untitled|^image$|^drawing$|\.svg|^\s*-/i.test(title)
    ) {
      title = null;
    }
    return { ...r, title, name: title ? shortName(title.replace(/[_]/g, ' ').replace(/\s*\d+$/, '')) : null };
  });
}

// ---------------------------------------------------------------- fashion-mnist
export const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface FashionSet {
  images: Uint8Array; // n * 28 * 28
  labels: Uint8Array;
  n: number;
}

export function readFashion(root: string, part: 'train' | 't10k'): FashionSet {
  const dir = join(root, 'usr/share/datasets/fashion-mnist');
  const img = gunzipSync(readFileSync(join(dir, `${part}-images-idx3-ubyte.gz`)));
  const lab = gunzipSync(readFileSync(join(dir, `${part}-labels-idx1-ubyte.gz`)));
  const n = img.readUInt32BE(4);
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049 || lab.readUInt32BE(4) !== n) throw new Error('bad idx files');
  return { images: new Uint8Array(img.buffer, img.byteOffset + 16, n * 784), labels: new Uint8Array(lab.buffer, lab.byteOffset + 8, n), n };
}

// ---------------------------------------------------------------- wordnet
export interface Synset {
  offset: string;
  pos: 'n' | 'v';
  lemma: string; // first lemma, spaces for underscores
  lemmas: string[];
  gloss: string; // the definition, without the quoted examples
}

/** Synsets whose first lemma names no other synset of that part of speech (monosemous). */
export function readWordnet(root: string, pos: 'n' | 'v'): Synset[] {
  const file = join(root, 'usr/share/wordnet', pos === 'n' ? 'data.noun' : 'data.verb');
  const all: Synset[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const bar = line.indexOf(' | ');
    if (bar < 0) continue;
    const f = line.slice(0, bar).split(' ');
    const wcnt = parseInt(f[3]!, 16);
    const lemmas: string[] = [];
    for (let i = 0; i < wcnt; i++) lemmas.push(f[4 + 2 * i]!.replace(/\(.*\)$/, '').replace(/_/g, ' '));
    const gloss = line
      .slice(bar + 3)
      .trim()
      .split(/;\s*"/)[0]!
      .replace(/;\s*$/, '')
      .trim();
    all.push({ offset: f[0]!, pos, lemma: lemmas[0]!, lemmas, gloss });
  }
  const uses = new Map<string, number>();
  for (const s of all) for (const l of s.lemmas) uses.set(l.toLowerCase(), (uses.get(l.toLowerCase()) ?? 0) + 1);
  return all.filter((s) => uses.get(s.lemma.toLowerCase()) === 1 && s.gloss.length >= 12);
}

// ---------------------------------------------------------------- debian descriptions
export interface DebDescription {
  pkg: string;
  section: string;
  short: string;
  long: string;
}

function* stanzas(text: string): Generator<string> {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n\n', start);
    if (end < 0) {
      if (start < text.length) yield text.slice(start);
      return;
    }
    yield text.slice(start, end);
    start = end + 2;
  }
}

/** long description text: continuation lines unindented, ' .' paragraph breaks as newlines */
function longText(lines: string[]): string {
  return lines
    .map((l) => (l.trim() === '.' ? '' : l.replace(/^ /, '')))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function readDebianDescriptions(packagesFiles: string[], translationFiles: string[]): DebDescription[] {
  const section = new Map<string, string>();
  for (const f of packagesFiles) {
    for (const st of stanzas(readFileSync(f, 'utf8'))) {
      const pkg = /^Package: (.+)$/m.exec(st)?.[1];
      const sec = /^Section: (.+)$/m.exec(st)?.[1];
      if (pkg && sec && !section.has(pkg)) section.set(pkg, sec.split('/').pop()!);
    }
  }
  const out = new Map<string, DebDescription>();
  for (const f of translationFiles) {
    for (const st of stanzas(readFileSync(f, 'utf8'))) {
      const lines = st.split('\n');
      const pkg = /^Package: (.+)$/.exec(lines[0] ?? '')?.[1];
      const di = lines.findIndex((l) => l.startsWith('Description-en: '));
      if (!pkg || di < 0 || out.has(pkg)) continue;
      const short = lines[di]!.slice('Description-en: '.length).trim();
      const long = longText(lines.slice(di + 1).filter((l) => l.startsWith(' ')));
      out.set(pkg, { pkg, section: section.get(pkg) ?? 'unknown', short, long });
    }
  }
  return [...out.values()];
}

/** Descriptions that make a real query/note pair: not boilerplate, not near-copies. */
export function usefulDescription(d: DebDescription): boolean {
  if (/^(lib|golang-|librust-|node-|r-cran-|r-bioc-|haskell-|ocaml-|php-|ruby-|texlive-|fonts?-|linux-)/.test(d.pkg)) return false;
  if (/-(dev|dbg|dbgsym|doc|data|common|dbg|tests?|examples)$/.test(d.pkg)) return false;
  if (/transitional|dummy package|debug symbols|metapackage|meta-package/i.test(d.short + d.long)) return false;
  if (d.short.length < 12 || d.long.length < 80) return false;
  if (d.long.length > 1500) return false;
  return true;
}

export const baseName = (p: string) => basename(p, extname(p));

/** Common single words (used in the tagged corpus, 3-9 letters) from WordNet's index. */
export function readWordnetWords(root: string, pos: 'n' | 'v'): string[] {
  const file = join(root, 'usr/share/wordnet', pos === 'n' ? 'index.noun' : 'index.verb');
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const lemma = f[0]!;
    const pcnt = parseInt(f[3]!, 10);
    const tagsense = parseInt(f[5 + pcnt]!, 10);
    if (tagsense > 0 && /^[a-z]{3,9}$/.test(lemma)) out.push(lemma);
  }
  return out;
}

// ---------------------------------------------------------------- openmoji
export interface Emoji {
  hexcode: string;
  svg: string;
  group: string;
  annotation: string;
}

/** Base emoji (no skin-tone variants, no components), colour SVGs. */
export function readOpenmoji(root: string): Emoji[] {
  const data = JSON.parse(readFileSync(join(root, 'data/openmoji.json'), 'utf8')) as {
    hexcode: string;
    group: string;
    annotation: string;
    skintone: string | number;
  }[];
  return data
    .filter((e) => e.skintone === '' && e.group !== 'component' && e.annotation)
    .map((e) => ({ hexcode: e.hexcode, svg: join(root, 'color/svg', `${e.hexcode}.svg`), group: e.group, annotation: e.annotation }))
    .filter((e) => {
      try {
        return statSync(e.svg).isFile();
      } catch {
        return false;
      }
    });
}
