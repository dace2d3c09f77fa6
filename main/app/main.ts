// Electron main: a thin shell. Window, menu, trove:// protocol, IPC wiring, and the engine host
// (utilityProcess). Every decision with security weight lives in a small pure module next to
// this file (window-options, csp, guards, protocol, ipc-handlers), pinned by test/unit/app.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, screen, session, shell, utilityProcess } from 'electron';
import type { UtilityProcess, WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultDataDir } from '../engine/data-dir';
import { libraryFile } from '../engine/served-files';
import type { ItemFileSource } from '../engine/served-files';
import { IPC } from '../contract/ipc';
import { APP_CSP } from './csp';
import { appConfigFile, checkDataFolder, readAppConfig, resolveDataDir, writeAppConfig } from './data-folder';
import { EngineClient } from './engine-client';
import { navigationAllowed, permissionCheckHandler, permissionRequestHandler, senderAllowed, willAttachWebviewHandler, windowOpenHandler } from './guards';
import { createInvokeHandler, openable, parseItemIdArg } from './ipc-handlers';
import { menuTemplate } from './menu';
import { answerProtocolRequest, TROVE_SCHEME } from './protocol';
import { APP_ENTRY, mainWindowOptions } from './window-options';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state';

protocol.registerSchemesAsPrivileged([TROVE_SCHEME]);
app.enableSandbox();

// $TROVE_DATA, else the folder chosen in Settings (trove-app.json in userData), else the default;
// resolved once the app is ready
let dataDir = process.env.TROVE_DATA || defaultDataDir();
let dataDirChangeable = !process.env.TROVE_DATA;
const rendererDir = join(__dirname, '..', '..', '..', 'renderer', 'dist');
const preloadPath = join(__dirname, '..', '..', 'preload', 'preload.js');

let win: BrowserWindow | null = null;
let host: UtilityProcess | null = null;
let quitting = false;
let restarts = 0;
/** set while the engine host is stopped on purpose (data folder changed): no crash restart */
let switching = false;
const engine = new EngineClient((m) => host?.postMessage(m));

function startEngineHost(): void {
  host = utilityProcess.fork(join(__dirname, 'engine-host.js'), [], {
    serviceName: 'Trove engine',
    env: { ...process.env, TROVE_DATA_DIR: dataDir, TROVE_DATA_DIR_CHANGEABLE: dataDirChangeable ? '1' : '0', ...electronSqliteBinding() },
    stdio: 'inherit',
  });
  engine.revive();
  host.on('message', (m: unknown) => engine.handleMessage(m));
  const me = host;
  host.on('exit', (code) => {
    if (switching || host !== me) return;
    engine.fail({ code: 'unavailable', message: `The engine stopped (exit code ${code}). Trove restarts it; if it keeps happening, see the log.` });
    host = null;
    // restart a crashed engine a few times, then leave the error showing
    if (!quitting && restarts++ < 3) setTimeout(startEngineHost, 1000 * restarts);
  });
}

/** In development (`npm start`) the engine host loads better-sqlite3 built for Electron's ABI. */
function electronSqliteBinding(): { TROVE_SQLITE_BINDING?: string } {
  const file = join(app.getAppPath(), '.electron-native', 'better_sqlite3.node');
  return !app.isPackaged && existsSync(file) ? { TROVE_SQLITE_BINDING: file } : {};
}

/** Item files come from the engine host, and must lie in the folders it names. */
const itemFiles: ItemFileSource = { resolveFile: (which, id) => engine.resolveFile(which, id), allowedRoots: (which) => engine.allowedRoots(which) };

/** The original of an item, only when it lies inside a source folder. */
async function itemFile(rawId: unknown): Promise<string | null> {
  const id = parseItemIdArg(rawId);
  return id === null ? null : libraryFile(itemFiles, 'file', id);
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!navigationAllowed(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', willAttachWebviewHandler);
  contents.setWindowOpenHandler(windowOpenHandler);
}

async function pickFolder(): Promise<string | null> {
  const opts = { title: 'Add a folder to Trove', properties: ['openDirectory' as const] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
}

/** Settings › Change data folder: pick, check, remember, and restart the engine host on it. */
async function chooseDataFolder(): Promise<string | null> {
  if (!dataDirChangeable) return null;
  const opts = { title: 'Choose the folder where Trove keeps its data', defaultPath: dataDir, properties: ['openDirectory' as const, 'createDirectory' as const] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  const picked = r.canceled ? undefined : r.filePaths[0];
  if (!picked) return null;
  const checked = checkDataFolder(picked);
  if (!checked.ok) {
    dialog.showErrorBox('Trove cannot use that folder', checked.message);
    return null;
  }
  if (checked.dataDir === dataDir) return dataDir;
  writeAppConfig(appConfigFile(app.getPath('userData')), { dataDir: checked.dataDir });
  await restartEngineHost(checked.dataDir);
  return dataDir;
}

async function restartEngineHost(nextDataDir: string): Promise<void> {
  switching = true;
  const old = host;
  if (old) {
    await new Promise<void>((ok) => {
      const t = setTimeout(() => {
        old.kill();
        ok();
      }, 15_000);
      old.once('exit', () => {
        clearTimeout(t);
        ok();
      });
      old.postMessage({ t: 'shutdown' });
    });
  }
  engine.fail({ code: 'unavailable', message: 'The engine is restarting on the new data folder; try again in a moment.' });
  dataDir = nextDataDir;
  switching = false;
  restarts = 0;
  startEngineHost();
  win?.webContents.send(IPC.event, { type: 'libraryChanged', added: 0, changed: 0, removed: 0 });
}

function createWindow(): void {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = fitToDisplays(loadWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  win = new BrowserWindow(mainWindowOptions(preloadPath, state));
  if (state?.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => {
    if (!win) return;
    const b = win.getNormalBounds();
    saveWindowState(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  });
  win.on('closed', () => (win = null));
  void win.loadURL(APP_ENTRY);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
    host?.postMessage({ t: 'shutdown' });
  });

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler(permissionRequestHandler);
    ses.setPermissionCheckHandler(permissionCheckHandler);
    ses.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
    });

    protocol.handle('trove', async (request) => {
      const a = await answerProtocolRequest(request.url, request.method, { rendererDir, ...itemFiles });
      if (a.status !== 200) return new Response(a.body, { status: a.status, headers: a.headers });
      const file = await net.fetch(pathToFileURL(a.path).toString());
      return new Response(file.body, { status: 200, headers: a.headers });
    });

    const chosen = resolveDataDir(process.env, readAppConfig(appConfigFile(app.getPath('userData')), (l) => console.warn(`trove: ${l}`)), defaultDataDir());
    dataDir = chosen.dataDir;
    dataDirChangeable = chosen.changeable;
    startEngineHost();
    engine.onEvent((event) => win?.webContents.send(IPC.event, event));

    const invoke = createInvokeHandler(engine);
    ipcMain.handle(IPC.invoke, (event, method: unknown, request: unknown) => invoke(event.senderFrame?.url, method, request));
    ipcMain.handle(IPC.pickFolder, (event) => (senderAllowed(event.senderFrame?.url) ? pickFolder() : null));
    ipcMain.handle(IPC.chooseDataFolder, (event) => (senderAllowed(event.senderFrame?.url) ? chooseDataFolder() : null));
    ipcMain.handle(IPC.openItem, async (event, id: unknown) => {
      if (!senderAllowed(event.senderFrame?.url)) return false;
      const path = await itemFile(id);
      if (!path || !openable(path)) return false;
      return (await shell.openPath(path)) === '';
    });
    ipcMain.handle(IPC.revealItem, async (event, id: unknown) => {
      if (!senderAllowed(event.senderFrame?.url)) return false;
      const path = await itemFile(id);
      if (!path) return false;
      shell.showItemInFolder(path);
      return true;
    });

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(process.platform, {
          addFolder: () => {
            void pickFolder().then(async (p) => {
              if (!p) return;
              const added = await engine.call('addSource', { path: p });
              if (added.ok) await engine.call('startIndexing', {});
              else dialog.showErrorBox('Could not add the folder', added.error.message);
            });
          },
          openDataFolder: () => void shell.openPath(dataDir),
        }),
      ),
    );
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
