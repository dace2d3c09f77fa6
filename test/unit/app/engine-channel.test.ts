// Main and the engine host over their message channel: the files main serves come from the
// host, and must lie in the folders the ENGINE names (main keeps no list of its own).
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../../main/app/engine-client';
import { createHostHandler } from '../../../main/app/host-handler';
import type { HostMessage, HostRequest } from '../../../main/contract/ipc';
import { libraryFile } from '../../../main/engine/served-files';
import { tempDir } from '../../support/tmp';
import { fakeEngine } from '../contract/fake-engine';

const tmp = tempDir('trove-channel-');
const extra = join(tmp.path, 'renditions');
mkdirSync(extra);
writeFileSync(join(extra, '1.jpg'), 'jpeg');
writeFileSync(join(tmp.path, 'elsewhere.jpg'), 'jpeg');
afterAll(() => tmp.cleanup());

function wired() {
  const engine = fakeEngine();
  const handle = createHostHandler(
    {
      api: engine.api,
      resolveFile: async (_which, id) => (id === 1 ? join(extra, '1.jpg') : id === 2 ? join(tmp.path, 'elsewhere.jpg') : null),
      allowedRoots: async (which) => (which === 'original' ? [extra] : []),
    },
    (m: HostMessage) => queueMicrotask(() => client.handleMessage(structuredClone(m))),
  );
  const client = new EngineClient((m: HostRequest) => void handle(structuredClone(m)));
  return client;
}

describe('main <-> engine host', () => {
  it('serves a file that lies in a folder the engine names, and nothing outside them', async () => {
    const client = wired();
    expect(await client.allowedRoots('original')).toEqual([extra]);
    expect(await libraryFile(client, 'original', 1)).toBe(realpathSync(join(extra, '1.jpg')));
    expect(await libraryFile(client, 'original', 2)).toBeNull();
    expect(await libraryFile(client, 'thumb', 1)).toBeNull();
    expect(await libraryFile(client, 'original', 3)).toBeNull();
  });

  it('names no folders while the host is down', async () => {
    const client = wired();
    client.fail({ code: 'unavailable', message: 'The engine stopped (test).' });
    expect(await client.allowedRoots('original')).toEqual([]);
    expect(await libraryFile(client, 'original', 1)).toBeNull();
  });
});
