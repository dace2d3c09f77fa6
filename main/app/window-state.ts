// Remembered window bounds: read and written as a small JSON file in the user-data folder.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../base/durable-write';

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
    writeFileAtomic(file, JSON.stringify(state));
  } catch {
    // losing the window position is not worth bothering the user about
  }
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Drops a remembered position that no display shows any more (a monitor was unplugged). */
export function fitToDisplays(state: WindowState | null, workAreas: Rect[]): WindowState | null {
  if (!state || state.x === undefined || state.y === undefined) return state;
  const { x, y, width } = state;
  // at least the top 48 px of the window's title area must be on a screen
  const visible = workAreas.some((a) => x + width > a.x + 48 && x < a.x + a.width - 48 && y >= a.y - 8 && y < a.y + a.height - 48);
  if (visible) return state;
  const { x: _x, y: _y, ...rest } = state;
  return rest;
}
