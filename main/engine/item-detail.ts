// What the viewer shows of one item: its file facts, EXIF, and a note's text.
import { promises as fsp } from 'node:fs';
import type { ItemDetail } from '../contract/api';
import { decodeNote } from './library/note-text';
import type { ItemRow } from './store/items';

/** Notes longer than this are shown truncated. */
const NOTE_DISPLAY_LIMIT = 200_000;

export async function itemDetail(it: ItemRow): Promise<ItemDetail> {
  const detail: ItemDetail = {
    id: it.id,
    sourceId: it.sourceId,
    path: it.path,
    kind: it.kind,
    size: it.size,
    mtime: it.mtime,
    takenAt: it.takenAt,
    camera: [it.cameraMake, it.cameraModel].filter(Boolean).join(' ') || null,
    gps: it.gpsLat !== null && it.gpsLon !== null ? { lat: it.gpsLat, lon: it.gpsLon } : null,
    width: it.width,
    height: it.height,
  };
  if (it.kind === 'note') {
    try {
      const text = decodeNote(await fsp.readFile(it.path));
      detail.text = text.length > NOTE_DISPLAY_LIMIT ? text.slice(0, NOTE_DISPLAY_LIMIT) : text;
    } catch {
      // unreadable now: the detail is still useful without the text
    }
  }
  return detail;
}
