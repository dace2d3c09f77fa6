// Entry of the engine host (an Electron utilityProcess): runs TroveEngine off the main
// process so indexing never freezes the window. Talks to main over process.parentPort only;
// every message is validated (host-handler.ts). Plain Node: no electron import needed.
import { defaultDataDir } from '../engine/data-dir';
import { loadLibraryModel } from '../engine/model-loader';
import { TroveEngine } from '../engine/service';
import type { HostMessage } from '../contract/ipc';
import { createHostHandler } from './host-handler';
import { messageOf } from '../base/errors';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) {
  console.error('engine-host: must be started as an Electron utilityProcess');
  process.exit(2);
}

const post = (m: HostMessage) => port.postMessage(m);
const dataDir = process.env.TROVE_DATA_DIR || defaultDataDir();

async function start(): Promise<void> {
  // Without a usable model the host still runs: the library, status and errors work, and
  // indexing/search answer 'unavailable' with the reason.
  // the model package, providers and threads of the library's settings.json (Settings)
  const log = (l: string) => console.log(`engine: ${l}`);
  const got = await loadLibraryModel(dataDir, log).catch((err: unknown) => {
    console.error(`engine: running without a model: ${messageOf(err)}`);
    return null;
  });
  let engine: TroveEngine;
  try {
    engine = new TroveEngine({
      dataDir,
      model: got?.model ?? null,
      loaded: got?.loaded,
      ownsModel: true,
      watch: true,
      dataDirChangeable: process.env.TROVE_DATA_DIR_CHANGEABLE === '1',
      log,
    });
  } catch (err) {
    post({ t: 'fatal', message: messageOf(err) });
    process.exit(1);
  }
  engine.onEvent((event) => post({ t: 'event', event }));
  const handle = createHostHandler(engine, post, () => {
    void engine.close().finally(() => process.exit(0));
  });
  port!.on('message', (e) => {
    void handle(e.data).catch((err: unknown) => console.error('engine-host:', err));
  });
  post({ t: 'ready' });
}

void start();
