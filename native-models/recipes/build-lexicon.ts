// Builds Trove's lexicon (native-models/lexicon/) from WordNet 3.0 in Debian's
// wordnet-base: every noun synset with its lemmas, lexicographer file, hypernyms and
// instance hypernyms; index.noun's words with their senses by frequency and each sense's
// tag count (cntlist.rev); noun.exc; and the
// single-word adjectives, verbs and adverbs (to tell a common word from a name). It also
// checks the hand-made COCO-80 table (coco80.json) and everyday words (everyday-words.json) against WordNet.
//
//   npx tsx native-models/recipes/build-lexicon.ts [--out DIR] [--cache DIR]
//
// Output (DIR, default native-models/lexicon): lexicon.json.gz (layout:
// main/engine/lexicon/lexicon-file.ts), build.json (package version + SHA-256, output
// SHA-256, counts), LICENSE (WordNet's licence, from data.noun's header). README.md and
// coco80.json and everyday-words.json beside them are written by hand.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLexicon, LEXICON_FORMAT, type LexiconFile } from '../../main/engine/lexicon/lexicon-file';
import { EVERYDAY_FILE, parseEverydayTable } from '../../main/engine/lexicon/everyday';
import { outAndCache } from './lib/args';
import { fetchDeb } from './lib/fetch';
import { sha256 } from '../../main/base/hash';

interface RawSynset {
  offset: number;
  lexfile: number;
  lemmas: string[];
  /** per lemma, its lex_id (which of the lemma's senses in this lexicographer file): part of its sense key */
  lexIds: number[];
  hypernyms: number[];
  instanceOf: number[];
}

const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('  '));

/** data.noun: "offset lex_filenum n w_cnt(hex) [word lex_id]... p_cnt [ptr offset pos src/tgt]... | gloss" */
export function parseDataNoun(text: string): RawSynset[] {
  return lines(text).map((line) => {
    const f = line.slice(0, line.indexOf(' | ') >= 0 ? line.indexOf(' | ') : undefined).trim().split(' ');
    const wCnt = parseInt(f[3]!, 16);
    const lemmas = Array.from({ length: wCnt }, (_, k) => f[4 + 2 * k]!.replace(/_/g, ' '));
    const lexIds = Array.from({ length: wCnt }, (_, k) => parseInt(f[5 + 2 * k]!, 16));
    const at = 4 + 2 * wCnt;
    const pCnt = Number(f[at]);
    const s: RawSynset = { offset: Number(f[0]), lexfile: Number(f[1]), lemmas, lexIds, hypernyms: [], instanceOf: [] };
    for (let k = 0; k < pCnt; k++) {
      const [sym, off, pos] = [f[at + 1 + 4 * k], Number(f[at + 2 + 4 * k]), f[at + 3 + 4 * k]];
      if (pos !== 'n') continue;
      if (sym === '@') s.hypernyms.push(off);
      else if (sym === '@i') s.instanceOf.push(off);
    }
    if (!Number.isInteger(s.offset) || !lemmas.length || lemmas.some((l) => !l) || Number.isNaN(pCnt)) throw new Error(`data.noun: cannot read the line ${line.slice(0, 80)}`);
    return s;
  });
}

/**
 * cntlist.rev: "sense_key sense_number tag_cnt" -> tag counts by noun sense key
 * ("dog%1:05:00::" -> 42): how often WordNet's semantically tagged corpora used a word in a sense.
 */
export function parseCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, , count] = line.split(' ');
    if (key && key.includes('%1:')) out.set(key, Number(count));
  }
  return out;
}

/** A noun sense key: lemma%1:lexfile:lex_id:: ("dog%1:05:00::"). */
const senseKey = (lemma: string, lexfile: number, lexId: number) =>
  `${lemma.toLowerCase().replace(/ /g, '_')}%1:${String(lexfile).padStart(2, '0')}:${String(lexId).padStart(2, '0')}::`;

/** index.noun: "lemma pos synset_cnt p_cnt [ptr]... sense_cnt tagsense_cnt offset..." -> [word, tagged, offsets] */
export function parseIndex(text: string): [string, number, number[]][] {
  return lines(text).map((line) => {
    const f = line.trim().split(' ');
    const n = Number(f[2]);
    const p = Number(f[3]);
    const tagged = Number(f[5 + p]);
    const offsets = f.slice(6 + p, 6 + p + n).map(Number);
    if (offsets.length !== n || offsets.some((o) => !Number.isInteger(o))) throw new Error(`index file: cannot read the line ${line.slice(0, 80)}`);
    return [f[0]!.replace(/_/g, ' '), tagged, offsets];
  });
}

function main(): void {
  const args = outAndCache(process.argv.slice(2), 'native-models/lexicon');
  const log = (m: string) => console.log(m);
  const wn = fetchDeb('wordnet-base', { cacheDir: args.cache, log });
  const dir = join(wn.root, 'usr/share/wordnet');
  const read = (f: string) => readFileSync(join(dir, f), 'latin1');

  const raw = parseDataNoun(read('data.noun'));
  const position = new Map(raw.map((s, i) => [s.offset, i]));
  const at = (off: number) => {
    const i = position.get(off);
    if (i === undefined) throw new Error(`data.noun points at a missing synset ${off}`);
    return i;
  };
  const index = parseIndex(read('index.noun'));
  const exceptions = read('noun.exc')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const [inflected, ...bases] = l.trim().split(' ').map((w) => w.replace(/_/g, ' '));
      return bases.map((b) => [inflected!, b] as [string, string]);
    });
  if (raw.some((s, i) => i > 0 && s.offset <= raw[i - 1]!.offset)) throw new Error('data.noun: offsets are not ascending');
  const counts = parseCounts(read('cntlist.rev'));
  // tag count of (lower-case lemma, synset offset)
  const countOf = new Map<string, number>();
  for (const syn of raw) syn.lemmas.forEach((l, k) => countOf.set(`${l.toLowerCase()}\t${syn.offset}`, counts.get(senseKey(l, syn.lexfile, syn.lexIds[k]!)) ?? 0));
  const other = new Set<string>();
  for (const f of ['index.adj', 'index.verb', 'index.adv']) for (const [w] of parseIndex(read(f))) if (!w.includes(' ')) other.add(w);

  // words sorted by UTF-16 code units, the order of the runtime's binary search
  index.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const l of raw.flatMap((s) => s.lemmas)) if (/[\n|]/.test(l)) throw new Error(`a lemma holds a newline or '|': ${l}`);
  const rows = (xs: string[]) => xs.join('\n');
  const file: LexiconFile = {
    format: LEXICON_FORMAT,
    source: `WordNet 3.0 (Debian wordnet-base ${wn.version})`,
    offsets: raw.map((s) => s.offset).join(' '),
    lexfiles: raw.map((s) => String.fromCharCode(48 + s.lexfile)).join(''),
    lemmas: rows(raw.map((s) => s.lemmas.join('|'))),
    hypernyms: rows(raw.map((s) => s.hypernyms.map(at).join(' '))),
    instanceOf: rows(raw.map((s) => s.instanceOf.map(at).join(' '))),
    words: rows(index.map(([w]) => w)),
    senses: rows(
      index.map(([w, , offs]) =>
        offs
          .map((o) => {
            const c = countOf.get(`${w}\t${o}`) ?? 0;
            return c ? `${at(o)}:${c}` : String(at(o));
          })
          .join(' '),
      ),
    ),
    exceptions: rows(exceptions.map(([a, b]) => `${a}\t${b}`)),
    otherWords: rows([...other].sort()),
  };
  const lemmaRows = file.lemmas.split('\n');

  // the hand-made COCO-80 table must name real synsets that carry the lemma it says
  const coco = JSON.parse(readFileSync(join(args.out, 'coco80.json'), 'utf8')) as { classes: { name: string; wnid: string; lemma: string }[] };
  if (coco.classes.length !== 80) throw new Error(`coco80.json has ${coco.classes.length} classes, not 80`);
  for (const c of coco.classes) {
    const i = position.get(Number(c.wnid.slice(1)));
    if (!/^n\d{8}$/.test(c.wnid) || i === undefined) throw new Error(`coco80.json: ${c.name} -> ${c.wnid} is not a WordNet 3.0 noun synset`);
    if (!lemmaRows[i]!.split('|').some((l) => l.toLowerCase() === c.lemma.toLowerCase())) throw new Error(`coco80.json: ${c.wnid} (${lemmaRows[i]}) has no lemma "${c.lemma}"`);
  }

  // and so must the hand-made everyday words table
  const everyday = parseEverydayTable(readFileSync(join(args.out, EVERYDAY_FILE)), EVERYDAY_FILE);
  for (const l of everyday) {
    const i = position.get(Number(l.wnid.slice(1)));
    if (i === undefined || !lemmaRows[i]!.split('|').some((x) => x.toLowerCase() === l.lemma.toLowerCase())) throw new Error(`${EVERYDAY_FILE}: ${l.wnid} is not a WordNet 3.0 noun synset with the lemma "${l.lemma}"`);
  }

  const out = encodeLexicon(file);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'lexicon.json.gz'), out);
  const build = {
    source: { package: 'wordnet-base', version: wn.version, sha256: wn.sha256, deb: wn.deb.split('/').pop(), used: 'usr/share/wordnet/{data.noun, index.noun, noun.exc, index.adj, index.verb, index.adv}', licence: 'WordNet 3.0 licence (LICENSE)' },
    output: { file: 'lexicon.json.gz', bytes: out.length, sha256: sha256(out) },
    counts: { taggedNounSenses: [...countOf.values()].filter((c) => c > 0).length, synsets: raw.length, words: index.length, exceptions: exceptions.length, otherWords: other.size, instances: raw.filter((s) => s.instanceOf.length).length },
  };
  writeFileSync(join(args.out, 'build.json'), JSON.stringify(build, null, 2) + '\n');
  const licence = readFileSync(join(dir, 'data.noun'), 'latin1')
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.replace(/^ {2}\d+ ?/, '').trimEnd())
    .join('\n')
    .trim();
  writeFileSync(
    join(args.out, 'LICENSE'),
    `The lexicon in this folder is derived from WordNet 3.0 (Princeton University), as packaged by\nDebian (wordnet-base ${wn.version}). Its licence, as written in WordNet's data files:\n\n${licence}\n`,
  );
  log(`wrote ${args.out}/lexicon.json.gz: ${raw.length} synsets, ${index.length} words, ${(out.length / 1e6).toFixed(2)} MB`);
}

if (require.main === module) main();
