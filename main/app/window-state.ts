// Remembered window bounds: read and written as a small JSON file in the user-data folder.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

const int = (v: unknown, min: number, max: number): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;

/** Parses a stored state; anything odd yields null (the defaults). */
export function parseWindowState(raw: unknown): WindowState | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const width = int(r.width, 400, 20_000);
  const height = int(r.height, 300, 20_000);
  if (width === undefined || height === undefined) return null;
  const x = int(r.x, -50_000, 50_000);
  const y = int(r.y, -50_000, 50_000);
  return { width, height, ...(x !== undefined && y !== undefined ? { x, y } : {}), maximized: r.maximized === true };
}

export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file + '.tmp', JSON.stringify(state));
    renameSync(file + '.tmp', file);
  } catch {
    // losing the window position is not worth bothering the user about
  }
}
