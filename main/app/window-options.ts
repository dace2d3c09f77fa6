// The main window's options: every security-relevant web preference set explicitly, so a
// change of Electron's defaults cannot loosen them. Pure (type-only electron import) so tests
// can pin it without the Electron binary.
import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowState } from './window-state';

export const APP_ORIGIN = 'trove://app';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export function mainWindowOptions(preloadPath: string, state: WindowState | null = null): BrowserWindowConstructorOptions {
  return {
    width: state?.width ?? 1280,
    height: state?.height ?? 820,
    ...(state?.x !== undefined && state?.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Trove',
    backgroundColor: '#1c1c1e',
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    },
  };
}
