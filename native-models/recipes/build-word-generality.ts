// How general each English word is: the number of WordNet 3.0 glosses (all parts of
// speech, Debian's wordnet-base) that use it. Writes native-models/lexicon/
// word-generality.json.gz (read by main/engine/lexicon/generality.ts); same licence and
// source as the lexicon beside it.
//
//   npx tsx native-models/recipes/build-word-generality.ts [--out DIR] [--cache DIR]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countGlosses, encodeGenerality, type GeneralityFile } from '../../main/engine/lexicon/generality';
import { fetchDeb } from './lib/fetch';
import { outAndCache } from './lib/args';
import { sha256 } from '../../main/base/hash';

/** The gloss of each synset line of a WordNet data file ("... | gloss"). */
export function* glossesOf(data: string): Generator<string> {
  for (const line of data.split('\n')) {
    if (!line || line.startsWith('  ')) continue; // the licence header
    const bar = line.indexOf(' | ');
    if (bar >= 0) yield line.slice(bar + 3);
  }
}

function main(): void {
  const args = outAndCache(process.argv.slice(2), 'native-models/lexicon');
  const wn = fetchDeb('wordnet-base', { cacheDir: args.cache, log: (m) => console.log(m) });
  const dir = join(wn.root, 'usr/share/wordnet');
  const glosses: string[] = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) glosses.push(...glossesOf(readFileSync(join(dir, `data.${pos}`), 'latin1')));
  const file: GeneralityFile = { format: 1, source: `WordNet 3.0 glosses, all parts of speech (Debian wordnet-base ${wn.version}, sha256 ${wn.sha256})`, glosses: glosses.length, counts: countGlosses(glosses) };
  const out = encodeGenerality(file);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'word-generality.json.gz'), out);
  console.log(`wrote ${args.out}/word-generality.json.gz: ${glosses.length} glosses, ${Object.keys(file.counts).length} words, ${(out.length / 1024).toFixed(0)} KB, sha256 ${sha256(out)}`);
}

if (require.main === module) main();
