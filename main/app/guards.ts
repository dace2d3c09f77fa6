// Navigation, new-window, permission and webview guards. Pure functions; main.ts wires them
// to every web contents (app.on('web-contents-created')).
import { APP_ORIGIN } from './window-options';

/** In-app navigation: only within trove://app (a reload of the app itself). */
export function navigationAllowed(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'trove:' && u.host === 'app';
  } catch {
    return false;
  }
}

/** window.open and target=_blank: always denied (links to files go through "open"/"reveal"). */
export function windowOpenHandler(_details: { url: string }): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests (camera, notifications, geolocation, ...): always denied. */
export function permissionRequestHandler(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** Permission checks: always false. */
export function permissionCheckHandler(): boolean {
  return false;
}

/** <webview> is disabled (webviewTag: false); should one ever attach, refuse it. */
export function willAttachWebviewHandler(event: { preventDefault(): void }): void {
  event.preventDefault();
}

/** IPC senders: only the app's own top frame may call the engine. */
export function senderAllowed(frameUrl: string | undefined): boolean {
  if (!frameUrl) return false;
  try {
    const u = new URL(frameUrl);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
