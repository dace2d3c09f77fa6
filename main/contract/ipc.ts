// Messages between the Electron main process and the engine host (a utilityProcess).
// Both sides parse every message with these schemas before acting on it; the payloads
// (requests/responses/events) are then validated against the API table in ./api.
import { z } from 'zod';
import { ApiError, EngineEvent, ItemId } from './api';

const CallId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** main -> host */
export const HostRequest = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: CallId, method: z.string().min(1).max(64), request: z.unknown() }).strict(),
  /** resolve an item's thumbnail or original file to a path (the only way main learns a path) */
  z.object({ t: z.literal('file'), id: CallId, which: z.enum(['thumb', 'original', 'file']), itemId: ItemId }).strict(),
  /** the folders such a file must lie in (main checks every resolved path against them) */
  z.object({ t: z.literal('roots'), id: CallId, which: z.enum(['thumb', 'original', 'file']) }).strict(),
  z.object({ t: z.literal('shutdown') }).strict(),
]);
export type HostRequest = z.infer<typeof HostRequest>;

/** host -> main */
export const HostMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready') }).strict(),
  z.object({ t: z.literal('fatal'), message: z.string() }).strict(),
  z.object({ t: z.literal('result'), id: CallId, response: z.unknown() }).strict(),
  z.object({ t: z.literal('error'), id: CallId, error: ApiError }).strict(),
  z.object({ t: z.literal('file'), id: CallId, path: z.string().min(1).nullable() }).strict(),
  z.object({ t: z.literal('roots'), id: CallId, roots: z.array(z.string().min(1)).max(100_000) }).strict(),
  z.object({ t: z.literal('event'), event: EngineEvent }).strict(),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** Channel names used between preload and main. */
export const IPC = {
  invoke: 'trove:invoke',
  event: 'trove:event',
  pickFolder: 'trove:pick-folder',
  openItem: 'trove:open-item',
  revealItem: 'trove:reveal-item',
  chooseDataFolder: 'trove:choose-data-folder',
} as const;
