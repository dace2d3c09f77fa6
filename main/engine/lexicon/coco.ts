// The COCO-80 detector classes and the WordNet synsets they show
// (native-models/lexicon/coco80.json, checked against WordNet by the lexicon recipe and
// by test/unit/engine/lexicon.test.ts), so that a detection of 'mouse' means the computer
// mouse and 'tv' the television receiver.
import { installedData } from '../installed';
import { LexiconFileError } from './lexicon-file';
import { messageOf } from '../../base/errors';

export interface CocoClass {
  /** the detector's class name ('cell phone') */
  name: string;
  /** WordNet 3.0 noun synset ('n02992529') */
  wnid: string;
  /** a lemma of that synset ('cellular telephone') */
  lemma: string;
}

export const COCO_FILE = 'coco80.json';

/** Parses coco80.json: { classes: [{ name, wnid, lemma }] x 80 }. */
export function parseCocoTable(bytes: Buffer, file: string): CocoClass[] {
  let classes: unknown;
  try {
    classes = (JSON.parse(bytes.toString('utf8')) as { classes?: unknown }).classes;
  } catch (e) {
    throw new LexiconFileError(`Cannot read the COCO table ${file} (${messageOf(e)}). Reinstall Trove.`);
  }
  const ok = (c: unknown): c is CocoClass => {
    const r = c as Partial<CocoClass> | null;
    return typeof r?.name === 'string' && typeof r.lemma === 'string' && /^n\d{8}$/.test(r.wnid ?? '');
  };
  if (!Array.isArray(classes) || classes.length !== 80 || !classes.every(ok)) throw new LexiconFileError(`${file} must list the 80 COCO classes as { name, wnid, lemma }. Reinstall Trove.`);
  return classes;
}

const installed = installedData({
  path: `native-models/lexicon/${COCO_FILE}`,
  what: 'COCO table',
  rebuild: 'npx tsx native-models/recipes/build-lexicon.ts',
  error: LexiconFileError,
  read: (bytes, file) => {
    const classes = parseCocoTable(bytes, file);
    return { classes, byName: new Map(classes.map((c) => [c.name, c.wnid])) };
  },
});

/** The installation's COCO-80 table, in class order. */
export function cocoClasses(): readonly CocoClass[] {
  return installed.shared().classes;
}

/** The synset a COCO class name shows ('tv' -> 'n04405907'), or null for a name that is not a COCO class. */
export function cocoWnid(name: string): string | null {
  return installed.shared().byName.get(name.trim().toLowerCase()) ?? null;
}
