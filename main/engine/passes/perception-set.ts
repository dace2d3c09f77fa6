// The perception models installed with Trove (native-models/<package>), loaded on first
// use and kept for the engine's life, and the passes built from them. A package that is
// missing or damaged disables its pass only, with the reason logged and reported.
import { join } from 'node:path';
import { messageOf } from '../../base/errors';
import { loadClassifier } from '../../ml/perception/classifier';
import { loadDetector } from '../../ml/perception/detector';
import { loadFaceDetector } from '../../ml/perception/faces';
import { loadTextReader } from '../../ml/perception/ocr/reader';
import type { FaceDetector, ImageClassifier, ObjectDetector, TextReader } from '../../ml/perception/types';
import { findInstalled } from '../installed';
import type { Lexicon } from '../lexicon/lexicon';
import type { Gazetteer } from '../places/gazetteer';
import { colourPass } from './colours';
import { facesPass, labelsPass, objectsPass, textPass, type SpeciesModel } from './model-passes';
import type { Pass } from './pass';
import { placesPass } from './places';

/** WordNet synsets of the groups the species models know. */
const BIRD = 'n01503061';
const INSECT = 'n02159955';

export interface PerceptionModels {
  imagenet?: ImageClassifier;
  birds?: ImageClassifier;
  insects?: ImageClassifier;
  detector?: ObjectDetector;
  faces?: FaceDetector;
  reader?: TextReader;
  /** packages that could not be loaded, and why */
  unavailable: { name: string; reason: string }[];
}

export interface PerceptionLoadContext {
  /** the folder holding the packages (default: the installation's native-models/) */
  root?: string;
  providers?: readonly string[];
  threads?: number;
  log: (line: string) => void;
}

export async function loadPerceptionModels(ctx: PerceptionLoadContext): Promise<PerceptionModels> {
  const root = ctx.root ?? findInstalled('native-models');
  const out: PerceptionModels = { unavailable: [] };
  if (!root) {
    out.unavailable.push({ name: 'native-models', reason: 'the folder of installed models was not found' });
    return out;
  }
  const options = { providers: ctx.providers, threads: ctx.threads };
  const tryLoad = async <T>(name: string, load: (dir: string) => Promise<T>): Promise<T | undefined> => {
    try {
      return await load(join(root, name));
    } catch (err) {
      const reason = messageOf(err);
      out.unavailable.push({ name, reason });
      ctx.log(`perception: ${name} is not available: ${reason}`);
      return undefined;
    }
  };
  out.imagenet = await tryLoad('imagenet-mobilenet-v2', (d) => loadClassifier(d, options));
  out.birds = await tryLoad('inat-birds', (d) => loadClassifier(d, options));
  out.insects = await tryLoad('inat-insects', (d) => loadClassifier(d, options));
  out.detector = await tryLoad('coco-centernet', (d) => loadDetector(d, options));
  out.faces = await tryLoad('face-detector', (d) => loadFaceDetector(d, options));
  out.reader = await tryLoad('ppocr-v4', (d) => loadTextReader(d, options));
  return out;
}

export async function disposePerceptionModels(m: PerceptionModels): Promise<void> {
  for (const x of [m.imagenet, m.birds, m.insects, m.detector, m.faces, m.reader]) await x?.dispose().catch(() => undefined);
}

/** Is synset `wnid` the synset `group` or below it? */
export function isA(lex: Lexicon, wnid: string, group: string): boolean {
  const i = lex.indexOf(wnid);
  const g = lex.indexOf(group);
  return i !== null && g !== null && lex.ancestors(i).has(g);
}

/** The passes the installed models (and the gazetteer and lexicon) allow, cheapest first. */
export function buildPasses(m: PerceptionModels, extra: { gazetteer: Gazetteer | null; gazetteerVersion: string; lexicon: Lexicon | null }): Pass[] {
  const passes: Pass[] = [];
  if (extra.gazetteer) passes.push(placesPass(extra.gazetteer, extra.gazetteerVersion));
  passes.push(colourPass());
  if (m.imagenet) {
    const species: SpeciesModel[] = [];
    if (m.birds) species.push({ classifier: m.birds, group: BIRD });
    if (m.insects) species.push({ classifier: m.insects, group: INSECT });
    const lex = extra.lexicon;
    passes.push(labelsPass(m.imagenet, lex ? species : [], (wnid, group) => (lex ? isA(lex, wnid, group) : false)));
  }
  // the objects pass runs first: the faces pass looks only where it saw a person
  if (m.detector) passes.push(objectsPass(m.detector));
  if (m.faces) passes.push(facesPass(m.faces));
  if (m.reader) passes.push(textPass(m.reader));
  return passes;
}
