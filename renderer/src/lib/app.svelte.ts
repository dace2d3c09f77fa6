// The UI's state, as Svelte 5 runes in one class. Components read it and call its actions.
import type { Answer, EngineEvent, FindRequest, ItemError, JobProgress, LabelSet, ParsedQuery, SearchResult, Source, Status } from '../../../main/contract/api';
import { laterProgress } from '../../../main/contract/job-progress';
import { ApiFailure, createClient } from './client';
import type { Client, ConnectionState } from './client';
import { fileToBase64, parseDay } from './format';
import { TeachState } from './teach.svelte';

export type Mode = 'find' | 'ask' | 'labels' | 'point';
export type QuerySubject =
  /** ignore: the chips the user removed (their words count as plain text) */
  | { kind: 'text'; text: string; ignore: string[] }
  | { kind: 'item'; id: number; label: string }
  | { kind: 'image'; name: string; url: string; base64: string }
  /** Point at: a caption grounded in photos (results carry boxes) */
  | { kind: 'point'; text: string };

/** Splits "a, b , c" into trimmed, non-empty, distinct parts. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

function message(err: unknown): string {
  if (err instanceof ApiFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export class AppState {
  readonly client: Client = createClient();
  /** teaching Trove: pairs, the fine-tune, adopting (the Teach dialog, thumbs and picks on results) */
  readonly teach = new TeachState(this.client);
  connection = $state<ConnectionState>('connecting');
  loaded = $state(false);
  status = $state<Status | null>(null);
  sources = $state<Source[]>([]);
  job = $state<JobProgress | null>(null);
  errors = $state<ItemError[]>([]);
  notice = $state<{ kind: 'error' | 'info'; text: string } | null>(null);
  busy = $state(false);
  /** the Settings dialog (header button, Ctrl+,) */
  settingsOpen = $state(false);

  mode = $state<Mode>('find');
  query = $state('');
  subject = $state<QuerySubject | null>(null);
  results = $state<SearchResult[]>([]);
  instruction = $state('');
  /** what Trove understood of a text query (its chips), and whether anything matched well */
  parsed = $state<ParsedQuery | null>(null);
  strong = $state(true);
  searching = $state(false);
  searchError = $state<string | null>(null);
  kinds = $state({ image: true, note: true });
  sourceFilter = $state<number[]>([]);
  dateFrom = $state('');
  dateTo = $state('');
  sort = $state<'relevance' | 'date'>('relevance');

  selected = $state(-1);
  viewing = $state<SearchResult | null>(null);

  /** Sort into labels: the current label set, the labelling job, the label filter ('' = any) */
  labels = $state<LabelSet | null>(null);
  labelJob = $state<JobProgress | null>(null);
  labelFilter = $state('');
  /** Ask: the photo asked about, the options typed, the answers */
  askItem = $state<SearchResult | null>(null);
  askOptions = $state('');
  askQuestion = $state('');
  answers = $state<Answer[]>([]);
  askInstruction = $state('');
  asking = $state(false);
  askError = $state<string | null>(null);

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;

  indexing = $derived(this.job !== null && (this.job.state === 'running' || this.job.state === 'paused'));
  hasLibrary = $derived(this.sources.length > 0);

  constructor() {
    this.client.onConnection((s) => (this.connection = s));
    this.client.onEvent((e) => this.onEvent(e));
  }

  async load(): Promise<void> {
    try {
      const [status, sources] = await Promise.all([this.client.call('status', {}), this.client.call('listSources', {})]);
      this.status = status;
      this.sources = sources;
      this.takeJob(status.job);
      if (status.errors > 0) await this.loadErrors();
      await this.loadLabels();
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    } finally {
      this.loaded = true;
    }
  }

  async loadErrors(): Promise<void> {
    try {
      this.errors = await this.client.call('listErrors', { limit: 500 });
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'progress') {
      if (e.progress.kind === 'tune' || e.progress.kind === 'adopt') {
        this.teach.onProgress(e.progress);
        return;
      }
      if (e.progress.kind === 'label') {
        this.labelJob = e.progress;
        if (e.progress.state !== 'running') void this.loadLabels();
        return;
      }
      this.job = e.progress;
      if (e.progress.state !== 'running' && e.progress.state !== 'paused') this.scheduleRefresh(0);
      else this.scheduleRefresh(1500);
    } else if (e.type === 'libraryChanged') {
      this.scheduleRefresh(300);
    }
  }

  private scheduleRefresh(delay: number): void {
    if (this.refreshTimer) {
      if (delay > 0) return;
      clearTimeout(this.refreshTimer);
    }
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, delay);
  }

  async refresh(): Promise<void> {
    try {
      const [status, sources] = await Promise.all([this.client.call('status', {}), this.client.call('listSources', {})]);
      this.status = status;
      this.sources = sources;
      this.takeJob(status.job);
      if (status.errors !== this.errors.length) await this.loadErrors();
    } catch {
      /* transient; the next event retries */
    }
  }

  private takeJob(job: JobProgress | null): void {
    if (!job) return;
    if (job.kind === 'label') this.labelJob = laterProgress(this.labelJob, job);
    else this.job = laterProgress(this.job, job);
  }

  async loadLabels(): Promise<void> {
    try {
      this.labels = await this.client.call('listLabels', {});
      if (this.labelFilter && !this.labels.labels.some((l) => l.label === this.labelFilter)) this.labelFilter = '';
    } catch {
      /* no labels: the filter stays hidden */
    }
  }

  /** Starts labelling the library with these labels (comma-separated). */
  async sortIntoLabels(text: string): Promise<void> {
    const labels = splitList(text);
    if (labels.length < 2) {
      this.notice = { kind: 'error', text: 'Name at least two labels, separated by commas — e.g. “receipts, screenshots, pets, landscapes”.' };
      return;
    }
    if (labels.length > 100) {
      this.notice = { kind: 'error', text: `That is ${labels.length} labels; Trove sorts into at most 100.` };
      return;
    }
    try {
      this.notice = null;
      this.labelFilter = '';
      this.takeJob(await this.client.call('sortIntoLabels', { labels }));
      await this.loadLabels();
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  async cancelLabels(): Promise<void> {
    try {
      const { ok } = await this.client.call('cancelLabels', {});
      if (!ok) this.notice = { kind: 'info', text: 'There is no labelling run to cancel.' };
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  /** Filter results by a label ('' = any), and run the current search again. */
  async filterByLabel(label: string): Promise<void> {
    this.labelFilter = label;
    await this.search();
  }

  /** Ask about this photo (from the viewer or the selected result). */
  chooseForAsk(item: SearchResult): void {
    if (item.kind !== 'image') {
      this.notice = { kind: 'error', text: 'Ask works on photos: pick a photo, not a note.' };
      return;
    }
    this.askItem = item;
    this.answers = [];
    this.askError = null;
    this.mode = 'ask';
    this.viewing = null;
  }

  /** The photo Ask will use: the chosen one, else the selected result when it is a photo. */
  askTarget(): SearchResult | null {
    if (this.askItem) return this.askItem;
    const sel = this.results[this.selected];
    return sel && sel.kind === 'image' ? sel : null;
  }

  async ask(question: string): Promise<void> {
    const q = question.trim();
    const item = this.askTarget();
    if (!item) {
      this.askError = 'Pick a photo first: search, select a photo in the results (or open it and choose “Ask about this photo”), then ask.';
      return;
    }
    if (!q) return;
    this.askItem = item;
    this.askQuestion = q;
    this.asking = true;
    this.askError = null;
    try {
      const res = await this.client.call('ask', { itemId: item.id, question: q, options: splitList(this.askOptions).slice(0, 100), k: 5 });
      this.answers = res.answers;
      this.askInstruction = res.instruction;
    } catch (err) {
      this.askError = message(err);
      this.answers = [];
    } finally {
      this.asking = false;
    }
  }

  /** Point at: the photos where a region matches the caption, with the region as a box. */
  async pointAt(caption: string): Promise<void> {
    const t = caption.trim();
    if (!t) return;
    this.subject = { kind: 'point', text: t };
    this.viewing = null;
    await this.search();
  }

  /** What the search bar does in the current mode. */
  async submit(): Promise<void> {
    if (this.mode === 'ask') return this.ask(this.query);
    if (this.mode === 'labels') return this.sortIntoLabels(this.query);
    if (this.mode === 'point') return this.pointAt(this.query);
    return this.findText(this.query);
  }

  async addSource(path: string): Promise<boolean> {
    const p = path.trim();
    if (!p) {
      this.notice = { kind: 'error', text: 'Type the path of a folder with photos or notes.' };
      return false;
    }
    this.busy = true;
    try {
      await this.client.call('addSource', { path: p });
      this.notice = null;
      this.sources = await this.client.call('listSources', {});
      await this.startIndexing();
      return true;
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
      return false;
    } finally {
      this.busy = false;
    }
  }

  async pickAndAdd(): Promise<void> {
    const path = await this.client.pickFolder?.();
    if (path) await this.addSource(path);
  }

  async removeSource(id: number): Promise<void> {
    try {
      await this.client.call('removeSource', { id });
      await this.refresh();
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  async startIndexing(): Promise<void> {
    try {
      this.takeJob(await this.client.call('startIndexing', {}));
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    try {
      const method = action === 'pause' ? 'pauseIndexing' : action === 'resume' ? 'resumeIndexing' : 'cancelIndexing';
      const { ok } = await this.client.call(method, {});
      if (!ok) {
        this.notice = { kind: 'info', text: `Indexing could not be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'} just now; try again in a moment.` };
        return;
      }
      // the engine's progress events follow; reflect the change at once
      if (this.job && action !== 'cancel') this.job = { ...this.job, state: action === 'pause' ? 'paused' : 'running' };
    } catch (err) {
      this.notice = { kind: 'error', text: message(err) };
    }
  }

  /** Runs the current subject (text, item, or dropped image) with the current filters and sort. */
  async search(): Promise<void> {
    const s = this.subject;
    if (!s) return;
    const kinds = (['image', 'note'] as const).filter((k) => this.kinds[k]);
    if (kinds.length === 0) {
      this.results = [];
      this.searchError = 'Pick at least one kind (photos or notes).';
      return;
    }
    const filters: NonNullable<FindRequest['filters']> = {};
    if (kinds.length < 2) filters.kinds = kinds;
    if (this.sourceFilter.length) filters.sourceIds = [...this.sourceFilter];
    const from = parseDay(this.dateFrom, false);
    const to = parseDay(this.dateTo, true);
    if (from !== undefined) filters.dateFrom = from;
    if (to !== undefined) filters.dateTo = to;
    if (this.labelFilter) filters.label = this.labelFilter;
    if (s.kind === 'point') return this.runPointAt(s.text, filters);
    const req: FindRequest = { k: 200, filters, sort: this.sort };
    if (s.kind === 'text') {
      req.text = s.text;
      if (s.ignore.length) req.ignore = [...s.ignore];
    }
    else if (s.kind === 'item') req.imageItemId = s.id;
    else req.imageBase64 = s.base64;
    return this.showResults(() => this.client.call('find', req));
  }

  /** Runs one search and shows its results, unless a newer search has started meanwhile. */
  private async showResults(search: () => Promise<{ results: SearchResult[]; instruction: string; parsed?: ParsedQuery; strong?: boolean }>): Promise<void> {
    const seq = ++this.searchSeq;
    this.searching = true;
    this.searchError = null;
    try {
      const res = await search();
      if (seq !== this.searchSeq) return;
      this.results = res.results;
      this.instruction = res.instruction;
      this.parsed = res.parsed ?? null;
      this.strong = res.strong ?? true;
      this.selected = res.results.length ? 0 : -1;
    } catch (err) {
      if (seq !== this.searchSeq) return;
      this.searchError = message(err);
      this.results = [];
    } finally {
      if (seq === this.searchSeq) this.searching = false;
    }
  }

  private runPointAt(caption: string, filters: NonNullable<FindRequest['filters']>): Promise<void> {
    return this.showResults(async () => {
      const res = await this.client.call('pointAt', { caption, k: 24, filters });
      const results = this.sort === 'date' ? [...res.results].sort((x, y) => (y.takenAt ?? 0) - (x.takenAt ?? 0)) : res.results;
      return { results, instruction: res.instruction };
    });
  }

  async findText(text: string): Promise<void> {
    const t = text.trim();
    if (!t) return;
    this.subject = { kind: 'text', text: t, ignore: [] };
    this.mode = 'find';
    this.viewing = null;
    await this.search();
  }

  async moreLikeThis(item: SearchResult, label: string): Promise<void> {
    this.subject = { kind: 'item', id: item.id, label };
    this.mode = 'find';
    this.query = '';
    this.viewing = null;
    await this.search();
  }

  async findByImage(file: File): Promise<void> {
    if (!file.type.startsWith('image/')) {
      this.notice = { kind: 'error', text: `"${file.name}" is not an image; drop a photo to find similar ones.` };
      return;
    }
    if (file.size > 30 * 1024 * 1024) {
      this.notice = { kind: 'error', text: `"${file.name}" is larger than 30 MB.` };
      return;
    }
    if (this.subject?.kind === 'image') URL.revokeObjectURL(this.subject.url);
    this.subject = { kind: 'image', name: file.name, url: URL.createObjectURL(file), base64: await fileToBase64(file) };
    this.mode = 'find';
    this.query = '';
    this.viewing = null;
    await this.search();
  }

  /** The user removed a chip: its words become plain text, and the search runs again. */
  async removeChip(id: string): Promise<void> {
    const s = this.subject;
    if (s?.kind !== 'text' || s.ignore.includes(id)) return;
    this.subject = { ...s, ignore: [...s.ignore, id] };
    await this.search();
  }

  clearSearch(): void {
    if (this.subject?.kind === 'image') URL.revokeObjectURL(this.subject.url);
    this.subject = null;
    this.results = [];
    this.instruction = '';
    this.parsed = null;
    this.strong = true;
    this.searchError = null;
    this.selected = -1;
  }

  open(index: number): void {
    const r = this.results[index];
    if (!r) return;
    this.selected = index;
    this.viewing = r;
  }

  step(delta: number): void {
    if (!this.results.length) return;
    const i = Math.max(0, Math.min(this.results.length - 1, this.selected + delta));
    this.selected = i;
    if (this.viewing) this.viewing = this.results[i]!;
  }
}
