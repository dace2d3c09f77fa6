// parseQuery: a Find query -> what it asks (pure). Quoted phrases first, then dates,
// places present in the library, kind words, opening commands and filler; what is left is
// the content, whose words the lexicon expands. Every understood part is a chip the UI
// can remove: parseQuery(text, ctx, { ignore: [chip.id] }) reads that span as plain text.
import type { ItemKind } from '../../../contract/api';
import { expandQueryWord, QUERY_OVERRIDES } from '../../lexicon/expand';
import { ChipStore } from './chips';
import { chronoDays, DateGrammar, type DateHit } from './dates';
import { LATEST, EARLIEST } from './periods';
import { PlaceMatcher } from './places';
import { quotedPhrases, tokenize, type Token } from './tokens';
import type { ContentWord, ParseContext, ParseOptions, ParsedQuery, PlaceMatch } from './types';
import { COMMANDS, FILLER, KIND_AND_CONTENT, KIND_WORDS, STOP_WORDS } from './words';

/** Lexicographer files of things a photo can show: a word whose likeliest sense is in one (or is a class labels reach, like "animal") is an object. */
const OBJECT_LEXFILES = new Set(['animal', 'artifact', 'food', 'object', 'person', 'plant', 'body']);
const KIND_LABEL: Record<ItemKind, string> = { image: 'Photos', note: 'Notes' };

export function parseQuery(text: string, ctx: ParseContext, opts: ParseOptions = {}): ParsedQuery {
  const chips = new ChipStore(opts.ignore ?? []);
  const phrases = quotedPhrases(text).filter((q) => chips.offer('phrase', q.span, `“${q.phrase}”`));
  const inPhrase = (t: Token) => phrases.some((q) => t.start >= q.span[0] && t.end <= q.span[1]);
  const tokens = tokenize(text).filter((t) => !inPhrase(t));
  const taken = new Array<boolean>(tokens.length).fill(false);
  const free = (j: number) => j >= 0 && j < tokens.length && !taken[j] && !chips.isIgnored(tokens[j]!);
  const freeRange = (a: number, b: number) => Array.from({ length: b - a }, (_, n) => a + n).every(free);
  const take = (a: number, b: number) => taken.fill(true, a, b);
  const spanOf = (a: number, b: number): [number, number] => [tokens[a]!.start, tokens[b - 1]!.end];

  // dates: the grammar's and chrono's hits, longest first (the grammar's on a tie), never overlapping
  const grammar = new DateGrammar(tokens, ctx.now);
  const hits: (DateHit & { mine: boolean })[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const h = grammar.expression(i);
    if (h) hits.push({ ...h, mine: true });
  }
  for (const h of chronoDays(text, tokens, ctx.now)) hits.push({ ...h, mine: false });
  hits.sort((a, b) => b.end - b.start - (a.end - a.start) || Number(b.mine) - Number(a.mine) || a.start - b.start);
  const dates: DateHit[] = [];
  for (const h of hits) {
    if (!freeRange(h.start, h.end)) continue;
    const label = h.period?.label ?? h.months!.label;
    if (!chips.offer('date', spanOf(h.start, h.end), label)) continue;
    take(h.start, h.end);
    dates.push(h);
  }

  // places present in the library
  const places: PlaceMatch[] = [];
  if (ctx.places?.length) {
    const matcher = new PlaceMatcher(ctx.places, ctx.lexicon);
    for (let i = 0; i < tokens.length; i++) {
      if (!free(i)) continue;
      const h = matcher.at(tokens, i, free);
      if (!h || !chips.offer('place', spanOf(h.start, h.end), h.label)) continue;
      take(h.start, h.end);
      for (const p of h.places) if (!places.some((q) => q.name === p.name && q.kind === p.kind)) places.push(p);
      i = h.end - 1;
    }
  }

  // kind words ("photos", "notes"); not inside a compound the lexicon knows ("picture frame")
  const kinds = new Set<ItemKind>();
  const keyAt = (j: number) => tokens[j]?.key.toLowerCase() ?? '';
  for (let i = 0; i < tokens.length; i++) {
    const w = keyAt(i);
    const kind = KIND_WORDS[w] ?? KIND_AND_CONTENT[w];
    if (!kind || !free(i)) continue;
    const compound = ctx.lexicon && ((free(i + 1) && ctx.lexicon.isLemma(`${w} ${keyAt(i + 1)}`)) || (free(i - 1) && ctx.lexicon.isLemma(`${keyAt(i - 1)} ${w}`)));
    if (compound || !chips.offer('kind', spanOf(i, i + 1), KIND_LABEL[kind])) continue;
    kinds.add(kind);
    if (KIND_WORDS[w]) take(i, i + 1);
  }

  // opening commands ("show me", "find") and filler ("taken", "that I took"): no chip, just gone
  const matchAt = (i: number, seq: string[]) => seq.every((w, n) => free(i + n) && keyAt(i + n) === w);
  const firstFree = tokens.findIndex((_, j) => free(j));
  const command = firstFree >= 0 ? COMMANDS.find((c) => matchAt(firstFree, c)) : undefined;
  if (command) take(firstFree, firstFree + command.length);
  for (let i = 0; i < tokens.length; i++) {
    const f = FILLER.find((seq) => matchAt(i, seq));
    if (f) take(i, i + f.length);
  }

  // the content: what is left; stop words and punctuation that bordered a removed part go
  // with it ("photos of dogs" -> "dogs"), others stay ("what may I bring")
  const edge = (j: number) => !tokens[j]!.word || STOP_WORDS.has(keyAt(j));
  const kept = tokens.map((_, j) => !taken[j]);
  for (let changed = true; changed; ) {
    changed = false;
    for (let j = 0; j < tokens.length; j++) {
      if (!kept[j] || !edge(j)) continue;
      const before = j === 0 ? null : kept[j - 1];
      const after = j === tokens.length - 1 ? null : kept[j + 1];
      if (before === false || after === false || (before === null && !kept.some(Boolean)) || (!tokens[j]!.word && (before === null || after === null))) {
        kept[j] = false;
        changed = true;
      }
    }
  }
  const content = tokens.map((_, j) => j).filter((j) => kept[j]);
  const pieces: { at: number; text: string }[] = phrases.map((q) => ({ at: q.span[0], text: q.phrase }));
  for (let n = 0; n < content.length; ) {
    let m = n;
    while (m + 1 < content.length && content[m + 1] === content[m]! + 1) m++;
    pieces.push({ at: tokens[content[n]!]!.start, text: text.slice(tokens[content[n]!]!.start, tokens[content[m]!]!.end) });
    n = m + 1;
  }
  const contentText = pieces
    .sort((a, b) => a.at - b.at)
    .map((p) => p.text)
    .join(' ');

  const words = contentWords(tokens, content, ctx);
  for (const w of words) if (w.object) chips.offer('object', w.span, w.said);
  const terms = [...new Set(words.flatMap((w) => w.said.split(' ')).filter((t) => !STOP_WORDS.has(t)))];

  const out: ParsedQuery = {
    input: text,
    text: contentText,
    terms,
    phrases: phrases.map((q) => q.phrase),
    places,
    objects: words.filter((w) => w.object).map((w) => ({ word: w.said, expansions: w.labels })),
    words,
    chips: chips.list(),
  };
  const periods = dates.filter((d) => d.period).map((d) => d.period!);
  if (periods.length) {
    out.dateRange = {
      from: Math.min(...periods.map((p) => p.from)),
      to: Math.max(...periods.map((p) => p.to)),
      label: periods.map((p) => p.label).join(' + '),
    };
  }
  const months = dates.filter((d) => d.months).map((d) => d.months!);
  if (months.length) out.monthsOfYear = { months: [...new Set(months.flatMap((m) => m.months))].sort((a, b) => a - b), label: months.map((m) => m.label).join(' + ') };
  if (kinds.size) out.kinds = [...kinds];
  return out;
}

/** Content tokens as words: stop words and punctuation out, phrases the lexicon knows kept whole ("golden retriever"). */
function contentWords(tokens: Token[], content: number[], ctx: ParseContext): ContentWord[] {
  const lex = ctx.lexicon;
  const said = (t: Token) => t.key.toLowerCase().replace(/s$/, (s) => (/['’]s$/.test(t.text) ? '' : s));
  const out: ContentWord[] = [];
  for (let n = 0; n < content.length; n++) {
    const t = tokens[content[n]!]!;
    if (!t.word || STOP_WORDS.has(t.key.toLowerCase())) continue;
    let len = 1;
    if (lex) {
      for (let m = Math.min(3, content.length - n); m > 1; m--) {
        const run = content.slice(n, n + m);
        if (run.some((j, q) => q > 0 && j !== run[q - 1]! + 1)) continue;
        if (lex.baseForms(run.map((j) => said(tokens[j]!)).join(' ')).length) {
          len = m;
          break;
        }
      }
    }
    const run = content.slice(n, n + len).map((j) => tokens[j]!);
    const word = run.map(said).join(' ');
    const span: [number, number] = [run[0]!.start, run[run.length - 1]!.end];
    n += len - 1;
    if (!lex) {
      out.push({ said: word, span, lemma: null, object: false, labels: [{ word, weight: 1, synset: null, relation: 'exact' }], synonyms: [] });
      continue;
    }
    const e = expandQueryWord(lex, word, ctx.coverage);
    const top = lex.senses(word)[0];
    const object = word in QUERY_OVERRIDES || (top !== undefined && (OBJECT_LEXFILES.has(lex.synset(top.synset)!.lexfile) || (ctx.coverage?.covered.has(top.synset) ?? false)));
    out.push({ said: word, span, lemma: e.lemma, object, labels: e.labels, synonyms: e.synonyms });
  }
  return out;
}

/** Whether a date taken (epoch ms, local time as stored) passes a parsed query's date and months. */
export function matchesDate(q: Pick<ParsedQuery, 'dateRange' | 'monthsOfYear'>, takenAt: number): boolean {
  if (q.dateRange && (takenAt < q.dateRange.from || takenAt > q.dateRange.to)) return false;
  if (q.monthsOfYear && !q.monthsOfYear.months.includes(new Date(takenAt).getMonth() + 1)) return false;
  return true;
}

/** A parsed date range as the contract's filters (open ends left out). */
export function dateFilters(q: Pick<ParsedQuery, 'dateRange'>): { dateFrom?: number; dateTo?: number } {
  if (!q.dateRange) return {};
  return { ...(q.dateRange.from > EARLIEST ? { dateFrom: q.dateRange.from } : {}), ...(q.dateRange.to < LATEST ? { dateTo: q.dateRange.to } : {}) };
}
