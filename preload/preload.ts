// The renderer's only door to the system: window.trove. Sandboxed preloads cannot require
// local modules, so this file imports nothing but electron (and types, erased at build).
// It forwards; main validates everything (method name, request schema, sender frame).
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { EngineEvent } from '../main/contract/api';

// Keep in sync with IPC in main/contract/ipc.ts (a value import would need a bundler here).
const IPC = {
  invoke: 'trove:invoke',
  event: 'trove:event',
  pickFolder: 'trove:pick-folder',
  openItem: 'trove:open-item',
  revealItem: 'trove:reveal-item',
  chooseDataFolder: 'trove:choose-data-folder',
} as const;

const api = {
  /** Calls one API method; resolves to { ok: true, value } or { ok: false, error: { code, message } }. */
  invoke: (method: string, request: unknown): Promise<unknown> => ipcRenderer.invoke(IPC.invoke, String(method), request),
  /** Subscribes to engine events; returns an unsubscribe function. */
  onEvent: (listener: (event: EngineEvent) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, event: EngineEvent) => listener(event);
    ipcRenderer.on(IPC.event, handler);
    return () => {
      ipcRenderer.removeListener(IPC.event, handler);
    };
  },
  /** Native folder picker; resolves to a path or null. */
  pickFolder: (): Promise<string | null> => ipcRenderer.invoke(IPC.pickFolder),
  openItem: (id: number): Promise<boolean> => ipcRenderer.invoke(IPC.openItem, Number(id)),
  revealItem: (id: number): Promise<boolean> => ipcRenderer.invoke(IPC.revealItem, Number(id)),
  /** Settings: pick another data folder; main saves it and restarts the engine on it. The folder, or null. */
  chooseDataFolder: (): Promise<string | null> => ipcRenderer.invoke(IPC.chooseDataFolder),
};

contextBridge.exposeInMainWorld('trove', Object.freeze(api));
