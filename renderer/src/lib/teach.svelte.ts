// Teaching Trove (personal fine-tuning) in the UI: the labelled pairs a person makes (thumbs
// on a result, "These are ..." for picked photos, the right or wrong answer in Ask, a right,
// wrong or hand-drawn box in Point at), the fine-tune run with its progress, its
// before/after scores, adopting the new version and rolling back. The engine does the work
// (contract: addPairs, startTuning, adoptModel, rollbackModel...); this holds what the
// Teach dialog and the result cards show.
import type { JobProgress, RequestOf, SearchResult } from '../../../main/contract/api';
import { overlap, type RegionBox } from '../../../main/contract/regions';
import type { PairList, TuningStatus } from '../../../main/contract/tuning';
import { ApiFailure } from './client';
import type { Client } from './client';

const message = (err: unknown): string => (err instanceof ApiFailure || err instanceof Error ? err.message : String(err));

export class TeachState {
  status = $state<TuningStatus | null>(null);
  /** the phrases taught, with how many right and wrong targets each has */
  queries = $state<PairList['queries']>([]);
  open = $state(false);
  /** photos picked on the result cards for "These are ..." */
  picked = $state<number[]>([]);
  /** marks given in this session, by what they mark (thumbsKey, answerKey, boxKey) -> 1 (right) or -1 (wrong) */
  marks = $state<Record<string, 1 | -1>>({});
  error = $state<string | null>(null);
  info = $state<string | null>(null);
  /** the live progress of the fine-tune run and of an adoption (engine events) */
  tune = $state<JobProgress | null>(null);
  adopt = $state<JobProgress | null>(null);
  busy = $state(false);
  private loadedAt = 0;

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    try {
      const [status, pairs] = await Promise.all([this.client.call('tuningStatus', {}), this.client.call('listPairs', {})]);
      this.status = status;
      this.queries = pairs.queries;
    } catch (err) {
      this.error = message(err);
    }
  }

  /** Engine progress of kind 'tune' or 'adopt'; the status (the loss curve with it) is read again every few seconds while one runs, and when it ends. */
  onProgress(p: JobProgress): void {
    if (p.kind === 'tune') this.tune = p;
    else if (p.kind === 'adopt') this.adopt = p;
    else return;
    const now = Date.now();
    if (p.state !== 'running' || now - this.loadedAt > 2000) {
      this.loadedAt = now;
      void this.load();
    }
  }

  /** Keys of marks: the words (phrase, question or caption), the item, and what of it is marked. */
  private static thumbsKey = (words: string, id: number): string => `${words}\u0000${id}`;
  private static answerKey = (question: string, id: number, answer: string): string => `${question}\u0000${id}\u0000answer\u0000${answer}`;
  private static boxKey = (caption: string, id: number, box: RegionBox): string => `${caption}\u0000${id}\u0000box\u0000${box.join(',')}`;

  /** The thumbs given to a result for these words. */
  markOf(words: string, id: number): 1 | -1 | undefined {
    return this.marks[TeachState.thumbsKey(words, id)];
  }

  /** The mark given to an answer of Ask. */
  answerMark(question: string, id: number, answer: string): 1 | -1 | undefined {
    return this.marks[TeachState.answerKey(question, id, answer)];
  }

  /** The mark given to a box of Point at. */
  boxMark(caption: string, id: number, box: RegionBox): 1 | -1 | undefined {
    return this.marks[TeachState.boxKey(caption, id, box)];
  }

  private mark(key: string, label: 1 | -1): void {
    this.marks = { ...this.marks, [key]: label };
  }

  private async add(req: RequestOf<'addPairs'>, what: string): Promise<boolean> {
    this.error = null;
    try {
      await this.client.call('addPairs', req);
      this.info = what;
      await this.load();
      return true;
    } catch (err) {
      this.error = message(err);
      return false;
    }
  }

  /** Thumbs up (1) or down (-1): this result is (not) what these words mean. */
  async thumbs(words: string, item: SearchResult, label: 1 | -1): Promise<void> {
    const ok = await this.add({ task: item.kind === 'image' ? 'retrieval_text_to_image' : 'retrieval_text_to_text', query: { text: words }, targets: [{ itemId: item.id, label }], origin: 'thumbs' }, `Noted: ${label === 1 ? 'right' : 'wrong'} for “${words}”.`);
    if (ok) this.mark(TeachState.thumbsKey(words, item.id), label);
  }

  /** Ask: this answer is (not) right for the question about this photo. */
  async answer(question: string, item: SearchResult, answer: string, label: 1 | -1): Promise<void> {
    const ok = await this.add({ task: 'vqa', query: { text: question, itemId: item.id }, targets: [{ text: answer, label }], origin: 'ask' }, `Noted: “${answer}” is ${label === 1 ? 'the right answer' : 'wrong'} for “${question}”.`);
    if (ok) this.mark(TeachState.answerKey(question, item.id, answer), label);
  }

  /** Point at: the box Trove drew is (not) the caption's region of the photo. */
  async region(caption: string, item: SearchResult, box: RegionBox, label: 1 | -1): Promise<void> {
    const ok = await this.add({ task: 'grounding', query: { text: caption, itemId: item.id }, targets: [{ itemId: item.id, box, label }], origin: 'point-at' }, `Noted: the box is ${label === 1 ? 'right' : 'wrong'} for “${caption}”.`);
    if (ok) this.mark(TeachState.boxKey(caption, item.id, box), label);
  }

  /** Point at: the person drew the caption's region; Trove's own box, where it is elsewhere, is wrong. */
  async drawnRegion(caption: string, item: SearchResult, drawn: RegionBox, trove: RegionBox | null): Promise<void> {
    const wrong = trove && overlap(drawn, trove) < 0.5 ? trove : null;
    const targets = [{ itemId: item.id, box: drawn, label: 1 as const }, ...(wrong ? [{ itemId: item.id, box: wrong, label: -1 as const }] : [])];
    const ok = await this.add({ task: 'grounding', query: { text: caption, itemId: item.id }, targets, origin: 'point-at' }, `Noted: your box for “${caption}”${wrong ? ', and Trove’s as wrong' : ''}.`);
    if (ok) {
      this.mark(TeachState.boxKey(caption, item.id, drawn), 1);
      if (wrong) this.mark(TeachState.boxKey(caption, item.id, wrong), -1);
    }
  }

  togglePick(id: number): void {
    this.picked = this.picked.includes(id) ? this.picked.filter((x) => x !== id) : [...this.picked, id];
  }

  /** "These are <phrase>": every picked photo answers the phrase. */
  async theseAre(phrase: string): Promise<boolean> {
    const words = phrase.trim();
    if (!words) {
      this.error = 'Say what the picked photos are, e.g. “Mochi” or “grandma’s house”.';
      return false;
    }
    const n = this.picked.length;
    const ok = await this.add({ task: 'retrieval_text_to_image', query: { text: words }, targets: this.picked.map((itemId) => ({ itemId, label: 1 as const })), origin: 'these-are' }, `Noted: ${n} photo${n === 1 ? '' : 's'} for “${words}”.`);
    if (ok) this.picked = [];
    return ok;
  }

  /** Removes every pair of one phrase. */
  async forget(queryText: string | null, queryItem: number | null): Promise<void> {
    const ids = (await this.client.call('listPairs', {})).pairs.filter((p) => p.queryText === queryText && p.queryItem === queryItem).map((p) => p.id);
    if (!ids.length) return;
    await this.run(() => this.client.call('removePairs', { ids }));
  }

  private async run(f: () => Promise<unknown>): Promise<void> {
    this.error = null;
    this.busy = true;
    try {
      const r = await f();
      if (r && typeof r === 'object' && 'versions' in r) this.status = r as TuningStatus;
      else await this.load();
    } catch (err) {
      this.error = message(err);
    } finally {
      this.busy = false;
    }
  }

  start(steps: number, memoryMiB?: number): Promise<void> {
    this.tune = null;
    return this.run(() => this.client.call('startTuning', { settings: { steps, ...(memoryMiB ? { memoryMiB } : {}) } }));
  }

  cancel(): Promise<void> {
    return this.run(() => this.client.call('cancelTuning', {}));
  }

  adoptVersion(dir: string): Promise<void> {
    this.adopt = null;
    return this.run(() => this.client.call('adoptModel', { dir }));
  }

  cancelAdoption(): Promise<void> {
    return this.run(() => this.client.call('cancelAdoption', {}));
  }

  rollback(): Promise<void> {
    return this.run(() => this.client.call('rollbackModel', {}));
  }
}
