// What indexing adds after the embeddings: the perception passes and the full-text index
// they feed. The models, the lexicon and the gazetteer load on first use (the CLI's
// `trove search` never loads the perception models) and stay loaded.
import { messageOf } from '../../base/errors';
import type { JobProgress } from '../../contract/api';
import type { EvidenceModels } from '../../ml/perception/evidence';
import type { Job } from '../jobs/job';
import { defaultGenerality, type Generality } from '../lexicon/generality';
import { defaultLexicon, type Lexicon } from '../lexicon/lexicon';
import { defaultGazetteer, type Gazetteer } from '../places/gazetteer';
import type { Db } from '../store/db';
import { readyItemIds } from '../store/items';
import { writeJsonAtomic } from '../store/json-file';
import { itemsWithoutDocs } from '../store/search-text';
import { readTextIndexVersion, textIndexStamp, TEXT_INDEX_VERSION } from '../text-index/version';
import { tagWordsWith } from '../text-index/tag-words';
import { refreshSearchDocs } from '../text-index/refresh';
import type { TagWords } from '../text-index/documents';
import type { Pass } from './pass';
import { PassJob } from './pass-job';
import { buildPasses, disposePerceptionModels, loadPerceptionModels, type PerceptionModels } from './perception-set';

export interface EnrichmentOptions {
  db: Db;
  /** the library's data folder (text-index.json records which version built the documents) */
  dataDir: string;
  log: (line: string) => void;
  /** the folder of perception packages (default: the installation's native-models/) */
  modelsRoot?: string;
  threads?: number;
  /** no perception models at all (tests of other parts); places, colours and the text index still run */
  withoutModels?: boolean;
}

export class Enrichment {
  private models: Promise<PerceptionModels> | null = null;
  private lexicon: Lexicon | null | undefined;
  private gazetteer: Gazetteer | null | undefined;
  private generality: Generality | null | undefined;
  private words: TagWords | null = null;

  constructor(private readonly o: EnrichmentOptions) {}

  /** The lexicon, loaded on first use; null (logged) when it is not installed. */
  lexiconOrNull(): Lexicon | null {
    if (this.lexicon === undefined) this.lexicon = this.tryLoad('lexicon', defaultLexicon);
    return this.lexicon;
  }

  /** The words each tag puts in the full-text index (search reads tags back with the same function). */
  tagWords(): TagWords {
    this.words ??= tagWordsWith(this.lexiconOrNull());
    return this.words;
  }

  /** How general English words are (query weights), loaded on first use; null (logged) when not installed. */
  generalityOrNull(): Generality | null {
    if (this.generality === undefined) this.generality = this.tryLoad('word generality', defaultGenerality);
    return this.generality;
  }

  /** Rebuilds an item's full-text documents (call inside the transaction that changed it). */
  refreshDocs(itemId: number): void {
    refreshSearchDocs(this.o.db, itemId, this.tagWords());
  }

  /** The passes the installed models allow (loads them on first call). */
  async passes(): Promise<Pass[]> {
    const models = await this.loaded();
    if (this.gazetteer === undefined) this.gazetteer = this.tryLoad('gazetteer', defaultGazetteer);
    return buildPasses(models, { gazetteer: this.gazetteer, gazetteerVersion: 'geonames-2024', lexicon: this.lexiconOrNull() });
  }

  /**
   * The models of the passes that make perception evidence (labels, objects, text), for
   * images the passes do not see: a dropped query image (embedding/evidence.ts).
   */
  async evidenceModels(): Promise<EvidenceModels> {
    const m = await this.loaded();
    return { classifier: m.imagenet, detector: m.detector, reader: m.reader };
  }

  private loaded(): Promise<PerceptionModels> {
    this.models ??= this.o.withoutModels ? Promise.resolve({ unavailable: [] }) : loadPerceptionModels({ threads: this.o.threads, root: this.o.modelsRoot, log: this.o.log });
    return this.models;
  }

  /**
   * The passes phase of an indexing run: the documents of every item when they were built
   * by another version of this code (text-index.json), else those missing, then every due pass.
   */
  async job(jobId: number, onProgress: (p: JobProgress) => void): Promise<Job | null> {
    const { db } = this.o;
    const stamp = textIndexStamp(this.o.dataDir);
    const stale = readTextIndexVersion(stamp, this.o.log) !== TEXT_INDEX_VERSION;
    const rebuild = stale ? readyItemIds(db) : itemsWithoutDocs(db);
    for (let i = 0; i < rebuild.length; i += 500) db.transaction(() => rebuild.slice(i, i + 500).forEach((id) => this.refreshDocs(id)))();
    if (stale) writeJsonAtomic(stamp, { version: TEXT_INDEX_VERSION });
    const passes = await this.passes();
    return new PassJob({ db, jobId, passes, refreshDocs: (id) => this.refreshDocs(id), onProgress });
  }

  async dispose(): Promise<void> {
    if (this.models) await disposePerceptionModels(await this.models);
  }

  private tryLoad<T>(what: string, load: () => T): T | null {
    try {
      return load();
    } catch (err) {
      this.o.log(`${what}: ${messageOf(err)}`);
      return null;
    }
  }
}
