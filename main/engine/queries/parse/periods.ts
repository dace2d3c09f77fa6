// Calendar periods as epoch-ms ranges in the machine's local time: dates taken are stored
// as the EXIF local time read as local time, so "December 2022" is local midnight
// 1 December 2022 to the last millisecond of 31 December, whatever the time zone.
import { MONTH_NAMES, SEASON_START, type Season } from './words';

export interface Period {
  from: number;
  to: number;
  label: string;
}

/** The open ends of a range ("before 2015"): the earliest and latest instants a Date can hold. */
export const EARLIEST = -8.64e15;
export const LATEST = 8.64e15;

const at = (y: number, m: number, d = 1) => new Date(y, m - 1, d).getTime();

export function yearPeriod(y: number): Period {
  return { from: at(y, 1), to: at(y + 1, 1) - 1, label: String(y) };
}

export function monthPeriod(y: number, m: number): Period {
  return { from: at(y, m), to: at(y, m + 1) - 1, label: `${MONTH_NAMES[m - 1]} ${y}` };
}

/** Meteorological seasons, northern hemisphere; winter Y is December Y to February Y+1. */
export function seasonPeriod(season: Season, y: number): Period {
  const m = SEASON_START[season];
  return { from: at(y, m), to: at(y, m + 3) - 1, label: `${season} ${y}` };
}

export function seasonMonths(season: Season): number[] {
  const m = SEASON_START[season];
  return [m, m + 1, m + 2].map((x) => ((x - 1) % 12) + 1);
}

export function decadePeriod(start: number): Period {
  return { from: at(start, 1), to: at(start + 10, 1) - 1, label: `the ${start}s` };
}

export function dayPeriod(y: number, m: number, d: number, label?: string): Period {
  return { from: at(y, m, d), to: at(y, m, d + 1) - 1, label: label ?? new Date(y, m - 1, d).toLocaleDateString('en-US', { day: 'numeric', month: 'long', year: 'numeric' }) };
}

/** Monday of the week that holds `date` (ISO weeks), local midnight. */
export function weekStart(date: Date): Date {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

export const endOfDay = (date: Date) => at(date.getFullYear(), date.getMonth() + 1, date.getDate() + 1) - 1;

/** The year of the most recent `month` that has started by `now` (this year's when it has begun). */
export function lastStartedYear(month: number, now: Date): number {
  return now.getMonth() + 1 >= month ? now.getFullYear() : now.getFullYear() - 1;
}

/** The year of the latest whole season (or month: months = 1) that ended before `now`'s month began. */
export function lastEndedYear(firstMonth: number, months: number, now: Date): number {
  const current = now.getFullYear() * 12 + now.getMonth(); // months since year 0, now's month
  let y = now.getFullYear();
  while (y * 12 + (firstMonth - 1) + months > current) y--;
  return y;
}

/** The season holding `now`, as [season, its year] (January and February belong to the previous year's winter). */
export function currentSeason(now: Date): [Season, number] {
  const m = now.getMonth() + 1;
  if (m === 12) return ['winter', now.getFullYear()];
  if (m <= 2) return ['winter', now.getFullYear() - 1];
  return [m <= 5 ? 'spring' : m <= 8 ? 'summer' : 'autumn', now.getFullYear()];
}

/** A range that spans two periods ("from 2018 to 2020"). */
export function spanning(a: Period, b: Period): Period {
  return { from: Math.min(a.from, b.from), to: Math.max(a.to, b.to), label: `${a.label} – ${b.label}` };
}
