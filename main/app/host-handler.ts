// The engine host's side of the main <-> host channel, pure: every incoming message is parsed
// against the contract (HostRequest), every call is dispatched with request AND response
// validation, and nothing malformed reaches the engine or crashes the host.
import type { TroveApi } from '../contract/api';
import { describeIssues, dispatch } from '../contract/dispatch';
import { HostRequest } from '../contract/ipc';
import type { HostMessage } from '../contract/ipc';
import type { ItemFileSource } from '../engine/served-files';

export interface HostEngine extends ItemFileSource {
  api: TroveApi;
}

export function createHostHandler(engine: HostEngine, post: (m: HostMessage) => void, onShutdown: () => void = () => {}) {
  return async function handle(raw: unknown): Promise<void> {
    const parsed = HostRequest.safeParse(raw);
    if (!parsed.success) {
      const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        post({ t: 'error', id, error: { code: 'invalid', message: `Malformed message to the engine host: ${describeIssues(parsed.error)}` } });
      }
      return;
    }
    const msg = parsed.data;
    switch (msg.t) {
      case 'call': {
        const out = await dispatch(engine.api, msg.method, msg.request);
        post(out.ok ? { t: 'result', id: msg.id, response: out.value } : { t: 'error', id: msg.id, error: out.error });
        return;
      }
      case 'file': {
        let path: string | null = null;
        try {
          path = await engine.resolveFile(msg.which, msg.itemId);
        } catch {
          path = null;
        }
        post({ t: 'file', id: msg.id, path: path || null });
        return;
      }
      case 'roots': {
        const roots = await engine.allowedRoots(msg.which).catch(() => []);
        post({ t: 'roots', id: msg.id, roots: roots.filter((r) => r.length > 0) });
        return;
      }
      case 'shutdown':
        onShutdown();
        return;
    }
  };
}
