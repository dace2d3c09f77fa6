// What kind of document a photo shows, read from the text in it (pure): a receipt has a
// total and prices, a ticket a departure and a seat, a letter a "Dear"... People search
// for "receipts from 2021" or "the train ticket", not for the words printed on them.
import type { TagRow } from '../store/perception';

interface Kind {
  tag: string;
  /** words that name the kind on their own ("TOTAL", "BOARDING PASS"): one is enough */
  strong: RegExp;
  /** words typical of the kind: two are enough */
  weak: RegExp;
  /** price-like amounts ("12.50", "£3,99") needed besides, when the kind is about money */
  prices?: number;
}

const KINDS: readonly Kind[] = [
  { tag: 'receipt', strong: /\b(total|subtotal|sub-total|receipt|amount due|change due)\b/g, weak: /\b(vat|tax|cash|card|visa|mastercard|balance|qty|thank you|paid|price)\b/g, prices: 2 },
  { tag: 'invoice', strong: /\b(invoice|bill to|payment terms)\b/g, weak: /\b(due date|account no|reference|amount)\b/g, prices: 1 },
  { tag: 'ticket', strong: /\b(ticket|boarding pass|admit one|admission|billet|entry)\b/g, weak: /\b(departure|depart|arrival|arrive|seat|platform|carriage|coach|gate|row|adult|single|return|valid|fare|zone|flight)\b/g },
  { tag: 'letter', strong: /\b(dear|yours sincerely|yours faithfully|kind regards|best regards|to whom it may concern)\b/g, weak: /\b(sincerely|regards|enclosed|please find)\b/g },
  { tag: 'wifi', strong: /\b(wi-?fi|wlan|ssid)\b/g, weak: /\b(password|network|wireless|guest)\b/g },
  { tag: 'menu', strong: /\b(menu|starters|mains|desserts)\b/g, weak: /\b(soups?|salad|coffee|tea|wine|beer|burger|pizza|pasta|chips|cake|drinks)\b/g, prices: 3 },
  { tag: 'appointment', strong: /\b(appointment|please arrive)\b/g, weak: /\b(booked|reminder|surgery|clinic|practice|consultation)\b/g },
];

const PRICE = /(?:[£$€]\s?\d+(?:[.,]\d{1,2})?|\b\d+[.,]\d{2}\b)/g;

/** The document kinds the text of a photo shows, with a confidence (tags of the text pass). */
export function documentKinds(lines: readonly string[]): TagRow[] {
  const text = lines.join('\n').toLowerCase();
  if (text.replace(/\s/g, '').length < 12) return [];
  const prices = (text.match(PRICE) ?? []).length;
  const out: TagRow[] = [];
  for (const k of KINDS) {
    const strong = new Set(text.match(k.strong) ?? []).size;
    const weak = new Set(text.match(k.weak) ?? []).size;
    const named = strong >= 1 || weak >= 2;
    const priced = k.prices === undefined || prices >= k.prices || strong + weak >= 3;
    if (named && priced) out.push({ tag: k.tag, score: Math.min(1, 0.6 + 0.15 * strong + 0.05 * weak), count: 1, ref: null });
  }
  return out;
}

/** The words each document kind puts in the index (a receipt is also a bill). */
export const DOCUMENT_WORDS: Readonly<Record<string, string[]>> = {
  receipt: ['receipt', 'bill', 'purchase', 'document'],
  invoice: ['invoice', 'bill', 'document'],
  ticket: ['ticket', 'document'],
  letter: ['letter', 'mail', 'post', 'document'],
  wifi: ['wifi', 'wi-fi', 'password', 'wireless', 'internet'],
  menu: ['menu', 'food', 'restaurant'],
  appointment: ['appointment', 'reminder', 'document'],
};
