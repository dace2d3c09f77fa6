// The UI's state, as Svelte 5 runes in one class. Components read it and call its actions.
import type { EngineEvent, FindRequest, ItemError, JobProgress, SearchResult, Source, Status } from '../../../main/contract/api';
import { ApiFailure, createClient } from './client';
import type { Client, ConnectionState } from './client';
import { fileToBase64, parseDay } from './format';

export type Mode = 'find' | 'ask' | 'labels' | 'point';
export type QuerySubject =
  | { kind: 'text'; text: string }
  | { kind: 'item'; id: number; label: string }
  | { kind: 'image'; name: string; url: string; base64: string };

function message(err: unknown): string {
  if (err instanceof ApiFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export class AppState {
  readonly client: Client = createClient();
  connection = $state<ConnectionState>('connecting');
  loaded = $state(false);
  status = $state<Status | null>(null);
  sources = $state<Source[]>([]);
  job = $state<JobProgress | null>(null);
  errors = $state<ItemError[]>([]);
  notice = $state<{ kind: 'error' | 'info'; text: string } | null>(null);
  busy = $state(false);

  mode = $state<Mode>('find');
  query = $state('');
  subject = $state<QuerySubject | null>(null);
  results = $state<SearchResult[]>([]);
  instruction = $state('');
  searching = $state(false);
  searchError = $state<string | null>(null);
  kinds = $state({ image: true, note: true });
  sourceFilter = $state<number[]>([]);
  dateFrom = $state('');
  dateTo = $state('');
  sort = $state<'relevance' | 'date'>('relevance');

  selected = $state(-1);
  viewing = $state<SearchResult | null>(null);

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
      if (status.job) this.job = status.job;
      if (status.errors > 0) await this.loadErrors();
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
      if (status.job) this.job = status.job;
      if (status.errors !== this.errors.length) await this.loadErrors();
    } catch {
      /* transient; the next event retries */
    }
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
      const job = await this.client.call('startIndexing', {});
      if (job) this.job = job;
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
    const req: FindRequest = { k: 200, filters, sort: this.sort };
    if (s.kind === 'text') req.text = s.text;
    else if (s.kind === 'item') req.imageItemId = s.id;
    else req.imageBase64 = s.base64;
    const seq = ++this.searchSeq;
    this.searching = true;
    this.searchError = null;
    try {
      const res = await this.client.call('find', req);
      if (seq !== this.searchSeq) return;
      this.results = res.results;
      this.instruction = res.instruction;
      this.selected = res.results.length ? 0 : -1;
    } catch (err) {
      if (seq !== this.searchSeq) return;
      this.searchError = message(err);
      this.results = [];
    } finally {
      if (seq === this.searchSeq) this.searching = false;
    }
  }

  async findText(text: string): Promise<void> {
    const t = text.trim();
    if (!t) return;
    this.subject = { kind: 'text', text: t };
    this.viewing = null;
    await this.search();
  }

  async moreLikeThis(item: SearchResult, label: string): Promise<void> {
    this.subject = { kind: 'item', id: item.id, label };
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
    this.query = '';
    this.viewing = null;
    await this.search();
  }

  clearSearch(): void {
    if (this.subject?.kind === 'image') URL.revokeObjectURL(this.subject.url);
    this.subject = null;
    this.results = [];
    this.instruction = '';
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
