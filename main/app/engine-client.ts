// The main process's side of the main <-> engine host channel, pure: pairs requests with
// replies, validates every host message (HostMessage) and fans out engine events.
import type { FileKind } from '../engine/served-files';
import type { ApiError, EngineEvent } from '../contract/api';
import type { Outcome } from '../contract/dispatch';
import { HostMessage } from '../contract/ipc';
import type { HostRequest } from '../contract/ipc';

type Pending =
  | { kind: 'call'; resolve: (o: Outcome<unknown>) => void }
  | { kind: 'file'; resolve: (p: string | null) => void }
  | { kind: 'roots'; resolve: (roots: string[]) => void };

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private down: ApiError | null = null;
  /** counts messages from the host that did not parse (for tests and logs) */
  rejected = 0;

  constructor(private readonly post: (m: HostRequest) => void) {}

  call(method: string, request: unknown): Promise<Outcome<unknown>> {
    if (this.down) return Promise.resolve({ ok: false, error: this.down });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { kind: 'call', resolve });
      this.post({ t: 'call', id, method, request });
    });
  }

  resolveFile(which: FileKind, itemId: number): Promise<string | null> {
    if (this.down) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { kind: 'file', resolve });
      this.post({ t: 'file', id, which, itemId });
    });
  }

  /** The folders a file of this kind must lie in, as the engine sees them (none while it is down). */
  allowedRoots(which: FileKind): Promise<string[]> {
    if (this.down) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { kind: 'roots', resolve });
      this.post({ t: 'roots', id, which });
    });
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feed every message from the host here. */
  handleMessage(raw: unknown): void {
    const parsed = HostMessage.safeParse(raw);
    if (!parsed.success) {
      this.rejected++;
      return;
    }
    const m = parsed.data;
    if (m.t === 'event') {
      for (const l of this.listeners) l(m.event);
      return;
    }
    if (m.t === 'ready') return;
    if (m.t === 'fatal') {
      this.fail({ code: 'unavailable', message: `The engine stopped: ${m.message}` });
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (p.kind === 'file') p.resolve(m.t === 'file' ? m.path : null);
    else if (p.kind === 'roots') p.resolve(m.t === 'roots' ? m.roots : []);
    else if (m.t === 'result') p.resolve({ ok: true, value: m.response });
    else if (m.t === 'error') p.resolve({ ok: false, error: m.error });
    else p.resolve({ ok: false, error: { code: 'internal', message: 'The engine answered a call with the wrong kind of message.' } });
  }

  /** The host went away: answer everything pending and everything later with this error. */
  fail(error: ApiError): void {
    this.down = error;
    for (const [, p] of this.pending) {
      if (p.kind === 'file') p.resolve(null);
      else if (p.kind === 'roots') p.resolve([]);
      else p.resolve({ ok: false, error });
    }
    this.pending.clear();
  }

  /** A new host was started. */
  revive(): void {
    this.down = null;
  }
}
