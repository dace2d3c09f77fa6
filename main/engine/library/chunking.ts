// Splits a note into chunks of about `target` characters, cutting at paragraph breaks,
// else sentence ends, else whitespace, else hard. Offsets are UTF-16 code-unit indices
// into the note's text (what JavaScript's String#slice uses); never inside a surrogate pair.
export interface Chunk {
  index: number;
  start: number;
  end: number;
  text: string;
}

export function chunkText(text: string, target = 1000): Chunk[] {
  const chunks: Chunk[] = [];
  const max = Math.floor(target * 1.5);
  let start = skipSpace(text, 0);
  while (start < text.length) {
    let end: number;
    if (text.length - start <= max) end = text.length;
    else end = findCut(text, start, target, max);
    const trimmedEnd = trimEnd(text, start, end);
    if (trimmedEnd > start) chunks.push({ index: chunks.length, start, end: trimmedEnd, text: text.slice(start, trimmedEnd) });
    start = skipSpace(text, end);
  }
  return chunks;
}

function findCut(text: string, start: number, target: number, max: number): number {
  const min = start + Math.floor(target * 0.5);
  const window = text.slice(start, start + max);
  // best = the boundary closest to target, preferring paragraphs, then sentences, then spaces
  const patterns = [/\n\s*\n/g, /[.!?。！？][)"'\]]?\s+/g, /\s+/g];
  for (const re of patterns) {
    let best = -1;
    for (const m of window.matchAll(re)) {
      const cut = start + m.index + m[0].length;
      if (cut < min) continue;
      if (best === -1 || Math.abs(cut - start - target) < Math.abs(best - start - target)) best = cut;
    }
    if (best !== -1) return best;
  }
  let cut = start + target;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut += 1; // keep surrogate pairs whole
  return cut;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}
