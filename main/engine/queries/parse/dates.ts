// Dates in a query. A small grammar over tokens handles what people type to find photos
// (years, months with a year, seasons, decades, relative periods, ranges, before/after/
// since), and chrono-node the specific days ("25 December 2022", "dec 25", "3 days ago",
// "last friday"). What is NOT a date (the decisions, tested in query-parse.test.ts):
// - a month or season without a year needs a cue word: "in May", "during summer", "every
//   December", "since March" parse; "what may I bring", "march on washington", "summer
//   dress", "spring water" stay text. A month or season without a year means that month
//   or season of every year (monthsOfYear), as photo apps show "December" across years.
// - a bare year (or "1990s") followed by another content word describes that thing and
//   stays text: "2021 tax return", "1984 novel"; "receipts 2021", "2019", "in 2019" parse.
// - numbers that are not years 1900..next year stay text ("8 mile", "route 66").
import * as chrono from 'chrono-node';
import type { Token } from './tokens';
import { currentSeason, dayPeriod, decadePeriod, EARLIEST, endOfDay, LATEST, lastEndedYear, lastStartedYear, monthPeriod, seasonMonths, seasonPeriod, spanning, weekStart, yearPeriod, type Period } from './periods';
import { KIND_AND_CONTENT, KIND_WORDS, MONTH_NAMES, MONTHS, SEASON_START, SEASONS, STOP_WORDS } from './words';

export interface DateHit {
  /** token indexes [start, end) */
  start: number;
  end: number;
  /** a range, or months of every year */
  period?: Period;
  months?: { months: number[]; label: string };
}

/** What one period expression is. `recurring`: a month or season without a year. */
interface P {
  end: number;
  period?: Period;
  months?: { months: number[]; label: string };
  /** a bare year or decade: only a date where no content word follows */
  bare?: boolean;
}

const UNITS: Record<string, 'day' | 'week' | 'month' | 'year'> = { day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year' };
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, couple: 2 };
const RANGE_JOINERS = new Set(['to', 'until', 'till', 'through', 'thru', '-', '–', 'and']);
/** cue words that put a period in the query as itself */
const IN_CUES = new Set(['in', 'during', 'from', 'of', 'on', 'around', 'throughout']);

export class DateGrammar {
  private readonly k: (i: number) => string;

  constructor(
    private readonly tokens: Token[],
    private readonly now: Date,
  ) {
    this.k = (i) => (i >= 0 && i < tokens.length ? tokens[i]!.key.toLowerCase() : '');
  }

  private year(i: number): number | null {
    const t = this.k(i);
    let y: number | null = null;
    if (/^\d{4}$/.test(t)) y = Number(t);
    else if (/^['’]\d{2}$/.test(this.tokens[i]?.text ?? '')) {
      const yy = Number(this.tokens[i]!.text.slice(1));
      y = yy <= (this.now.getFullYear() % 100) + 1 ? 2000 + yy : 1900 + yy;
    }
    return y !== null && y >= 1900 && y <= this.now.getFullYear() + 1 ? y : null;
  }

  /** One period at token i (no cue word), or null. */
  period(i: number): P | null {
    const k = this.k;
    const the = k(i) === 'the' ? 1 : 0;
    return this.relative(i) ?? this.seasonOrMonth(i + the) ?? this.decade(i) ?? this.yearRange(i) ?? (this.year(i) !== null ? { end: i + 1, period: yearPeriod(this.year(i)!), bare: true } : null);
  }

  private seasonOrMonth(i: number): P | null {
    const k = this.k;
    const season = SEASONS[k(i)];
    const month = MONTHS[k(i)];
    if (!season && !month) return null;
    // "summer 2019", "summer of 2019", "December, 2022", "dec '22"
    let j = i + 1;
    if (k(j) === ',' || k(j) === 'of') j++;
    const y = this.year(j);
    if (y !== null) return { end: j + 1, period: season ? seasonPeriod(season, y) : monthPeriod(y, month!) };
    if (season) return { end: i + 1, months: { months: seasonMonths(season), label: `${season}, any year` } };
    return { end: i + 1, months: { months: [month!], label: `${MONTH_NAMES[month! - 1]}, any year` } };
  }

  private decade(i: number): P | null {
    const k = this.k;
    const t = this.tokens[i]?.text ?? '';
    if (/^\d{3}0s$/.test(k(i))) return { end: i + 1, period: decadePeriod(Number(k(i).slice(0, 4))), bare: true };
    const two = /^['’]?(\d)0s$/.exec(k(i) === 'the' ? (this.tokens[i + 1]?.text ?? '') : t);
    if (two && (k(i) === 'the' || /^['’]/.test(t))) {
      const d = Number(two[1]) * 10;
      const start = d <= (this.now.getFullYear() % 100) ? 2000 + d : 1900 + d;
      return { end: i + (k(i) === 'the' ? 2 : 1), period: decadePeriod(start) };
    }
    return null;
  }

  private yearRange(i: number): P | null {
    const m = /^(\d{4})[-–](\d{4})$/.exec(this.k(i));
    if (!m) return null;
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (a < 1900 || b < a || b > this.now.getFullYear() + 1) return null;
    return { end: i + 1, period: spanning(yearPeriod(a), yearPeriod(b)) };
  }

  /** last/this/next/past + unit or season or month; yesterday/today; N units ago; the last N units. */
  private relative(i: number): P | null {
    const k = this.k;
    const now = this.now;
    const y = now.getFullYear();
    const m = now.getMonth() + 1;
    if (k(i) === 'yesterday') return { end: i + 1, period: dayPeriod(y, m, now.getDate() - 1, 'yesterday') };
    if (k(i) === 'today' || k(i) === 'tonight') return { end: i + 1, period: dayPeriod(y, m, now.getDate(), k(i)) };
    // N units ago
    const n = /^\d+$/.test(k(i)) ? Number(k(i)) : NUMBER_WORDS[k(i)];
    if (n !== undefined && UNITS[k(i + 1)] && k(i + 2) === 'ago') return { end: i + 3, period: this.ago(n, UNITS[k(i + 1)]!, `${this.tokens.slice(i, i + 3).map((t) => t.text).join(' ')}`) };
    // (the) last/past N units
    const the = k(i) === 'the' ? 1 : 0;
    const which = k(i + the);
    if ((which === 'last' || which === 'past') && /^\d+$|^(two|three|four|five|six|seven|eight|nine|ten|few)$/.test(k(i + the + 1)) && UNITS[k(i + the + 2)]) {
      const count = /^\d+$/.test(k(i + the + 1)) ? Number(k(i + the + 1)) : (NUMBER_WORDS[k(i + the + 1)] ?? 3);
      return { end: i + the + 3, period: this.rolling(count, UNITS[k(i + the + 2)]!, `last ${count} ${k(i + the + 2)}`) };
    }
    if (!['last', 'this', 'next', 'past', 'previous'].includes(which)) return null;
    const what = k(i + the + 1);
    const end = i + the + 2;
    if (which === 'past' && UNITS[what]) return { end, period: this.rolling(1, UNITS[what]!, `past ${what}`) };
    const back = which === 'last' || which === 'previous' ? -1 : which === 'next' ? 1 : 0;
    const named = (p: Period, name: string, shown: string) => ({ ...p, label: `${which} ${name} (${shown})` });
    if (what === 'year') return { end, period: named(yearPeriod(y + back), what, String(y + back)) };
    // "this March" is this year's; "last March" the latest March that has ended
    if (what === 'month') {
      const first = new Date(y, m - 1 + back, 1);
      const p = monthPeriod(first.getFullYear(), first.getMonth() + 1);
      return { end, period: named(p, what, p.label) };
    }
    if (what === 'week' || what === 'weekend') {
      const mon = weekStart(now);
      mon.setDate(mon.getDate() + 7 * back + (what === 'weekend' ? 5 : 0));
      const stop = new Date(mon);
      stop.setDate(stop.getDate() + (what === 'weekend' ? 2 : 7));
      return { end, period: { from: mon.getTime(), to: stop.getTime() - 1, label: `${which} ${what}` } };
    }
    const season = SEASONS[what];
    if (season) {
      const [cur, curYear] = currentSeason(now);
      // "this summer" is this year's; "this winter" in March is the one just past (it began last December)
      const thisOne = season === cur ? curYear : season === 'winter' && m <= 6 ? y - 1 : y;
      const sy = back < 0 ? lastEndedYear(SEASON_START[season], 3, now) : thisOne + back;
      return { end, period: named(seasonPeriod(season, sy), what, String(sy)) };
    }
    const month = MONTHS[what];
    if (month) {
      const my = back < 0 ? lastEndedYear(month, 1, now) : back > 0 ? lastStartedYear(month, now) + 1 : y;
      return { end, period: named(monthPeriod(my, month), MONTH_NAMES[month - 1]!, String(my)) };
    }
    return null;
  }

  /** "3 days ago": that day; weeks: that Monday-Sunday week; months: that month; years: that year. */
  private ago(n: number, unit: 'day' | 'week' | 'month' | 'year', label: string): Period {
    const d = new Date(this.now);
    if (unit === 'day') return dayPeriod(d.getFullYear(), d.getMonth() + 1, d.getDate() - n, label);
    if (unit === 'week') {
      const mon = weekStart(d);
      mon.setDate(mon.getDate() - 7 * n);
      return { from: mon.getTime(), to: new Date(mon.getFullYear(), mon.getMonth(), mon.getDate() + 7).getTime() - 1, label };
    }
    if (unit === 'month') {
      const first = new Date(d.getFullYear(), d.getMonth() - n, 1);
      return { ...monthPeriod(first.getFullYear(), first.getMonth() + 1), label };
    }
    return { ...yearPeriod(d.getFullYear() - n), label };
  }

  /** The last N units up to the end of today. */
  private rolling(n: number, unit: 'day' | 'week' | 'month' | 'year', label: string): Period {
    const now = this.now;
    const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    if (unit === 'day') from.setDate(from.getDate() - n);
    else if (unit === 'week') from.setDate(from.getDate() - 7 * n);
    else if (unit === 'month') from.setMonth(from.getMonth() - n);
    else from.setFullYear(from.getFullYear() - n);
    return { from: from.getTime(), to: endOfDay(now), label };
  }

  /** A recurring month/season made concrete: its most recent start by now (for since/before/after). */
  private latest(p: P): Period | null {
    if (p.period) return p.period;
    const first = p.months!.months[0]!;
    const y = lastStartedYear(first, this.now);
    const months = p.months!.months.length;
    return months === 1 ? monthPeriod(y, first) : seasonPeriod(Object.entries(SEASON_START).find(([, s]) => s === first)![0] as never, y);
  }

  /** Whether token j is a word that says what to find (not a stop, kind, date or joiner word). */
  private contentAt(j: number): boolean {
    const t = this.tokens[j];
    if (!t || !t.word) return false;
    const w = t.key.toLowerCase();
    return !STOP_WORDS.has(w) && !(w in KIND_WORDS) && !(w in KIND_AND_CONTENT) && !(w in MONTHS) && !(w in SEASONS) && this.year(j) === null;
  }

  /** A date expression starting at token i, its cue word included, or null. */
  expression(i: number): DateHit | null {
    const k = this.k;
    const cue = k(i);
    if (cue === 'between') {
      const a = this.period(i + 1);
      if (a?.period && k(a.end) === 'and') {
        const b = this.period(a.end + 1);
        if (b?.period) return { start: i, end: b.end, period: spanning(a.period, b.period) };
      }
      return null;
    }
    if (cue === 'every' || cue === 'each') {
      const p = this.seasonOrMonth(i + 1);
      return p?.months ? { start: i, end: p.end, months: p.months } : null;
    }
    if (['before', 'after', 'since', 'until', 'till'].includes(cue)) {
      const p = this.period(i + 1);
      const q = p && this.latest(p);
      if (!p || !q) return null;
      const labelled = (from: number, to: number) => ({ start: i, end: p.end, period: { from, to, label: `${cue} ${q.label}` } });
      if (cue === 'before') return labelled(EARLIEST, q.from - 1);
      if (cue === 'after') return labelled(q.to + 1, LATEST);
      if (cue === 'since') return labelled(q.from, endOfDay(this.now));
      return labelled(EARLIEST, q.to);
    }
    const hasCue = IN_CUES.has(cue);
    const at = hasCue ? i + 1 : i;
    const p = this.period(at);
    if (!p) return null;
    // a range: "from 2018 to 2020", "2018 - 2020", "march to may"
    if (RANGE_JOINERS.has(k(p.end)) && (k(p.end) !== 'and' || cue === 'from')) {
      const q = this.period(p.end + 1);
      if (q?.period && p.period) return { start: i, end: q.end, period: spanning(p.period, q.period) };
      if (q?.months && p.months && p.months.months.length === 1 && q.months.months.length === 1) {
        const [a, b] = [p.months.months[0]!, q.months.months[0]!];
        const months = Array.from({ length: ((b - a + 12) % 12) + 1 }, (_, n) => ((a - 1 + n) % 12) + 1);
        return { start: i, end: q.end, months: { months, label: `${MONTH_NAMES[a - 1]} – ${MONTH_NAMES[b - 1]}, any year` } };
      }
    }
    if (p.months && !hasCue) return null; // "march on washington", "summer dress"
    if (p.bare && !hasCue && this.contentAt(p.end)) return null; // "2021 tax return"
    if (cue === 'of' && p.months) return null; // "pictures of June" is about June the person more often than the month
    return { start: i, end: p.end, ...(p.period ? { period: p.period } : { months: p.months! }) };
  }
}

/** chrono-node's specific days ("25 December 2022", "dec 25", "2022-12-25", "last friday", "3 days ago") as token spans. */
export function chronoDays(text: string, tokens: Token[], now: Date): DateHit[] {
  const out: DateHit[] = [];
  for (const r of chrono.en.casual.parse(text, { instant: now }, { forwardDate: false })) {
    const s = r.start;
    const phrase = r.text.toLowerCase();
    const day = s.isCertain('day') && s.isCertain('month');
    const weekday = s.isCertain('weekday') && /^(last|this|past|previous)\b/.test(phrase);
    if (!day && !weekday && !/\bago$|^(yesterday|today|tonight)$/.test(phrase)) continue;
    let d = s.date();
    if (!s.isCertain('year') && d.getTime() > endOfDay(now)) d = new Date(d.getFullYear() - 1, d.getMonth(), d.getDate());
    let period = dayPeriod(d.getFullYear(), d.getMonth() + 1, d.getDate(), weekday || !day ? r.text : undefined);
    if (r.end && r.end.isCertain('day')) {
      const e = r.end.date();
      period = spanning(period, dayPeriod(e.getFullYear(), e.getMonth() + 1, e.getDate()));
    }
    const first = tokens.findIndex((t) => t.end > r.index);
    let last = tokens.findIndex((t) => t.start >= r.index + r.text.length);
    if (last < 0) last = tokens.length;
    if (first < 0 || first >= last) continue;
    const on = tokens[first - 1]?.key.toLowerCase() === 'on' ? 1 : 0;
    out.push({ start: first - on, end: last, period });
  }
  return out;
}
