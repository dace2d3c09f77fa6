// The UI's one door to the engine. In the Electron app it is window.trove (preload, IPC,
// validated in main and in the engine host); in a browser it is the `trove serve` bridge,
// with the per-launch token taken from the URL fragment (#token=...). Only types come from
// the contract: the renderer bundles no validation of its own (the other side validates).
import type { ApiError, EngineEvent, MethodName, RequestOf, ResponseOf } from '../../../main/contract/api';

type Outcome = { ok: true; value: unknown } | { ok: false; error: ApiError };

/** What preload exposes as window.trove. */
export interface TrovePreload {
  invoke(method: string, request: unknown): Promise<Outcome>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  pickFolder(): Promise<string | null>;
  openItem(id: number): Promise<boolean>;
  revealItem(id: number): Promise<boolean>;
  /** picks a new data folder, saves it and restarts the engine on it; the folder, or null when cancelled */
  chooseDataFolder?(): Promise<string | null>;
}

declare global {
  interface Window {
    trove?: TrovePreload;
  }
}

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'] | 'network',
    message: string,
  ) {
    super(message);
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Client {
  kind: 'electron' | 'browser';
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  thumbUrl(id: number): string;
  originalUrl(id: number): string;
  /** native folder picker (Electron only) */
  pickFolder?: () => Promise<string | null>;
  openItem?: (id: number) => Promise<boolean>;
  revealItem?: (id: number) => Promise<boolean>;
  /** Electron only: choose another data folder (the engine restarts on it) */
  chooseDataFolder?: () => Promise<string | null>;
}

function unwrap<M extends MethodName>(o: Outcome): ResponseOf<M> {
  if (o.ok) return o.value as ResponseOf<M>;
  throw new ApiFailure(o.error.code, o.error.message);
}

function electronClient(t: TrovePreload): Client {
  return {
    kind: 'electron',
    call: async <M extends MethodName>(method: M, request: RequestOf<M>) => unwrap<M>(await t.invoke(method, request)),
    onEvent: (l) => t.onEvent(l),
    onConnection: (l) => (l('open'), () => {}),
    thumbUrl: (id) => `/thumb/${id}`,
    originalUrl: (id) => `/original/${id}`,
    pickFolder: () => t.pickFolder(),
    openItem: (id) => t.openItem(id),
    revealItem: (id) => t.revealItem(id),
    ...(t.chooseDataFolder ? { chooseDataFolder: () => t.chooseDataFolder!() } : {}),
  };
}

const TOKEN_KEY = 'trove.token';

/** Reads #token=... once, then removes it from the address bar (and history). */
export function takeToken(): string | null {
  const m = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    history.replaceState(null, '', location.pathname + location.search);
    return m[1]!;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function browserClient(token: string | null): Client {
  const listeners = new Set<(e: EngineEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  const setState = (s: ConnectionState) => {
    state = s;
    connListeners.forEach((l) => l(s));
  };
  let retry = 500;
  const connect = () => {
    if (!token) return setState('closed');
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`, ['trove.v1', `trove.bearer.${token}`]);
    ws.onopen = () => {
      retry = 500;
      setState('open');
    };
    ws.onmessage = (m) => {
      try {
        const e = JSON.parse(String(m.data)) as EngineEvent;
        listeners.forEach((l) => l(e));
      } catch {
        /* the bridge validates events; ignore anything odd */
      }
    };
    ws.onclose = () => {
      setState('closed');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();
  return {
    kind: 'browser',
    async call(method, request) {
      if (!token) throw new ApiFailure('unauthorized', 'This page has no access token. Open the URL that `trove serve` printed.');
      let res: Response;
      try {
        res = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(request ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch {
        throw new ApiFailure('network', 'Trove is not reachable. Is `trove serve` still running?');
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new ApiFailure('internal', `Trove answered ${res.status} without a readable body.`);
      }
      if (!res.ok) {
        const err = (body as { error?: ApiError }).error;
        throw new ApiFailure(err?.code ?? 'internal', err?.message ?? `Request failed (${res.status}).`);
      }
      return body as never;
    },
    onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
    onConnection: (l) => (connListeners.add(l), l(state), () => connListeners.delete(l)),
    thumbUrl: (id) => `/thumb/${id}`,
    originalUrl: (id) => `/original/${id}`,
  };
}

export function createClient(): Client {
  return window.trove ? electronClient(window.trove) : browserClient(takeToken());
}
