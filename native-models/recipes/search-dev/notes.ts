// The notes (written for this library, in notes/ beside this file, laid out as they go
// into library/) with the day each was last edited, and the screenshots of the library
// (real application screenshots from Debian's documentation packages).
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Rng } from '../lib/rng';

export const NOTES_DIR = join(__dirname, 'notes');

/** When each note was last saved (UTC day); notes not listed get a day drawn from 2016-2024. */
export const NOTE_DATES: Record<string, string> = {
  'Documents/Money/budget 2023.md': '2023-01-29',
  'Documents/Money/mortgage questions.txt': '2023-12-03',
  'Documents/Travel/Iceland packing list.txt': '2022-02-06',
  'Documents/Travel/Lisbon and Porto plan 2019.md': '2019-05-19',
  'Notes/Dales weekend.md': '2024-04-08',
  "Notes/Leo's 7th birthday party.md": '2022-06-12',
  'Notes/Portuguese phrases.md': '2019-06-02',
  'Notes/Recipes/kjotsupa - Icelandic lamb soup.md': '2022-03-05',
  'Notes/Recipes/pasteis de nata attempt.md': '2019-07-14',
  'Notes/Recipes/sourdough.md': '2022-01-16',
  'Notes/garden log 2021.md': '2021-09-26',
  'Notes/half marathon plan.md': '2023-06-25',
  'Notes/insurance renewal 2024.txt': '2024-10-19',
  'Notes/journal/2020-04-12.md': '2020-04-12',
  'Notes/journal/2022-02-14 Vik.md': '2022-02-14',
  'Notes/meetings/2021-03 meeting.txt': '2021-03-09',
  'Notes/meetings/2022-11-08 one to one with Sam.md': '2022-11-08',
  'Notes/wedding speech draft.md': '2023-05-28',
};

export interface NoteFile {
  /** path inside library/ ('/'-separated) */
  path: string;
  /** the source file */
  file: string;
  date: Date;
}

export function listNotes(r: Rng): NoteFile[] {
  const walk = (d: string): string[] => readdirSync(d).sort().flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  return walk(NOTES_DIR).map((file) => {
    const path = relative(NOTES_DIR, file).split(sep).join('/');
    const fixed = NOTE_DATES[path];
    const date = fixed ? new Date(`${fixed}T19:30:00Z`) : new Date(Date.UTC(r.int(2016, 2024), r.int(0, 11), r.int(2, 26), r.int(7, 22), r.int(0, 59)));
    return { path, file, date };
  });
}

export interface Screenshot {
  id: string;
  pkg: string;
  path: string;
  labels: string[];
  /** UTC day and time the screenshot was taken */
  when: string;
  style: 'mac' | 'android';
}

const MARBLE = 'usr/share/doc/HTML/en/marble/';
const KPA = 'usr/share/doc/HTML/en/kphotoalbum/';

export const SCREENSHOTS: Screenshot[] = [
  { id: 'shot-route', pkg: 'marble-data', path: MARBLE + 'routing-1.png', labels: ['screenshot', 'map', 'route'], when: '2021-03-04T10:12:33Z', style: 'mac' },
  { id: 'shot-map', pkg: 'marble-data', path: MARBLE + 'mapview-1.png', labels: ['screenshot', 'map', 'globe'], when: '2020-10-01T21:40:02Z', style: 'mac' },
  { id: 'shot-search', pkg: 'marble-data', path: MARBLE + 'search-1.png', labels: ['screenshot', 'map'], when: '2022-02-08T18:03:51Z', style: 'android' },
  { id: 'shot-photos', pkg: 'kphotoalbum', path: KPA + 'thumbnailview.png', labels: ['screenshot', 'photo app', 'photos'], when: '2023-05-02T08:55:10Z', style: 'android' },
  { id: 'shot-photos-browser', pkg: 'kphotoalbum', path: KPA + 'browser-with-images.png', labels: ['screenshot', 'photo app'], when: '2016-11-20T14:21:45Z', style: 'mac' },
];

const pad = (n: number) => String(n).padStart(2, '0');

/** "Screenshot 2021-03-04 at 10.12.33.png" (macOS) or "Screenshot_20220208-180351.png" (Android). */
export function screenshotName(s: Screenshot): string {
  const t = new Date(s.when);
  const [y, mo, d, h, mi, se] = [t.getUTCFullYear(), pad(t.getUTCMonth() + 1), pad(t.getUTCDate()), pad(t.getUTCHours()), pad(t.getUTCMinutes()), pad(t.getUTCSeconds())];
  return s.style === 'mac' ? `Screenshot ${y}-${mo}-${d} at ${h}.${mi}.${se}.png` : `Screenshot_${y}${mo}${d}-${h}${mi}${se}.png`;
}
