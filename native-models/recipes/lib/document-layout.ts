// Lays a document out on its paper as SVG: one style per kind (paper shape and colour,
// typeface, sizes, alignment, decorations such as a receipt's torn edge, a ticket's band
// or a label's barcode) and the box of every printed line in the paper's units.
import { lineText } from './document-content';
import type { DocumentKind, DocumentSpec } from './document-content';
import { fontFace, measureText } from './document-fonts';
import type { DocumentFonts, FontFace } from './document-fonts';
import type { Rng } from './rng';

export interface PaperLine {
  /** the text as printed (upper-cased in a caps face) */
  text: string;
  /** in paper units: left, top, width, height */
  box: { x: number; y: number; w: number; h: number };
}

export interface Paper {
  /** SVG with viewBox 0 0 width height; set its pixel size with renderPaperSvg */
  svg: string;
  width: number;
  height: number;
  lines: PaperLine[];
}

type Align = 'left' | 'center' | 'right' | 'columns';

interface LineStyle {
  text: string;
  size: number;
  bold: boolean;
  align: Align;
  /** extra space above, in multiples of the line's size */
  gap: number;
  /** a body line shrinks with the other body lines; a heading fits on its own */
  body: boolean;
  /** its own colour (a title on a coloured band); default the style's ink */
  fill?: string;
}

interface Style {
  width: number;
  /** minimum height as a multiple of width (a sheet of A4, a portrait poster) */
  minAspect: number;
  margin: number;
  /** the right margin when it differs (a ticket's stub) */
  right?: number;
  /** empty paper kept below the text for a decoration (a label's barcode) */
  reserve?: number;
  face: FontFace;
  paper: string;
  ink: string;
  lineHeight: number;
  lines: LineStyle[];
  /** extra SVG drawn under the text (bands, borders, barcodes) given the final height */
  decorate: (height: number, lines: PaperLine[]) => string;
  /** the outline of the paper (a torn receipt edge); default the rectangle */
  outline?: (height: number) => string;
}

const FACES: Record<DocumentKind, string[]> = {
  receipt: ['DejaVu Sans Mono', 'Liberation Mono', 'Courier Prime', 'Inconsolata', 'Noto Sans Mono', 'Liberation Sans Narrow', 'Roboto Condensed'],
  ticket: ['Liberation Sans', 'Open Sans', 'Roboto', 'DejaVu Sans', 'Courier Prime', 'Roboto Condensed'],
  letter: ['Liberation Serif', 'Caladea', 'DejaVu Serif', 'Open Sans', 'Liberation Sans', 'Cantarell'],
  sign: ['Liberation Sans', 'Roboto', 'Bebas Neue', 'DejaVu Sans', 'Open Sans', 'Roboto Condensed'],
  'wifi-card': ['Comic Neue', 'Cantarell', 'Open Sans', 'Caladea', 'Roboto', 'Liberation Serif'],
  menu: ['Caladea', 'Liberation Serif', 'Cantarell', 'Comic Neue', 'Open Sans', 'DejaVu Serif'],
  label: ['Liberation Sans', 'Roboto', 'Liberation Mono', 'Roboto Condensed', 'Open Sans'],
  poster: ['Bebas Neue', 'Roboto', 'Open Sans', 'Cantarell', 'Comic Neue', 'Liberation Sans'],
};

const BOARDS: [string, string][] = [
  ['#c8202a', '#ffffff'],
  ['#f4d21f', '#111111'],
  ['#ffffff', '#c01818'],
  ['#1f4fa8', '#ffffff'],
  ['#1d7a3c', '#ffffff'],
  ['#f5f2e8', '#1a1a1a'],
  ['#222222', '#f0f0f0'],
];
const PASTELS = ['#fdf6e3', '#eef6fb', '#fbeff2', '#f0f7ec', '#ffffff', '#fff8dc'];
const POSTERS: [string, string][] = [
  ['#ffd23f', '#1b1b1b'],
  ['#3bceac', '#102a43'],
  ['#ee4266', '#ffffff'],
  ['#540d6e', '#fff5d6'],
  ['#ffffff', '#1a1a6e'],
  ['#0e7c7b', '#ffffff'],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function line(text: string, size: number, o: Partial<Omit<LineStyle, 'text' | 'size'>> = {}): LineStyle {
  const style: LineStyle = { text, size, bold: o.bold ?? false, align: o.align ?? (text.includes('\t') ? 'columns' : 'left'), gap: o.gap ?? 0, body: o.body ?? true };
  if (o.fill) style.fill = o.fill;
  return style;
}

function grey(r: Rng, lo: number, hi: number): string {
  const v = r.int(lo, hi);
  return `rgb(${v},${v},${v})`;
}

function styleFor(spec: DocumentSpec, r: Rng): Style {
  const face = fontFace(r.pick(FACES[spec.kind]));
  const L = spec.lines;
  const rect = (w: number, h: number, fill: string, extra = '') => `<rect x="0" y="0" width="${w}" height="${h}" fill="${fill}" ${extra}/>`;
  switch (spec.kind) {
    case 'receipt': {
      const W = 800;
      const s = r.range(26, 34);
      // the closing greeting and what follows it are centred; a receipt without one has no footer
      const greeting = L.findIndex((t, i) => i >= 4 && /^(Thank|Have a)/.test(t));
      const footer = greeting < 0 ? L.length : greeting;
      const lines = L.map((t, i) =>
        i === 0
          ? line(t, s * 1.35, { bold: true, align: 'center', body: false })
          : i < 4 || i >= footer
            ? line(t, s, { align: 'center', gap: i === footer ? 1.2 : 0 })
            : line(t, s, { gap: /^Subtotal/.test(t) ? 0.8 : i === 4 ? 0.6 : 0 }),
      );
      const tooth = 16;
      return {
        width: W, minAspect: 0, margin: 46, face, paper: grey(r, 236, 252), ink: grey(r, 25, 85), lineHeight: 1.32, lines,
        decorate: (_h, placed) => {
          const sub = placed.find((p) => /^Subtotal/.test(p.text));
          return sub ? `<line x1="46" x2="${W - 46}" y1="${sub.box.y - s * 0.35}" y2="${sub.box.y - s * 0.35}" stroke="#555" stroke-width="2" stroke-dasharray="8 6"/>` : '';
        },
        outline: (h) => {
          let d = `M0 0 H${W} V${h - tooth}`;
          for (let x = W; x > 0; x -= tooth * 2) d += ` L${Math.max(0, x - tooth)} ${h} L${Math.max(0, x - 2 * tooth)} ${h - tooth}`;
          return `${d} Z`;
        },
      };
    }
    case 'ticket': {
      const W = 1000;
      const band = r.pick(['#1f4fa8', '#c8202a', '#1d7a3c', '#6a1b9a', '#e65100']);
      const s = r.range(34, 42);
      const lines = L.map((t, i) => (i === 0 ? line(t, s * 1.5, { bold: true, body: false, fill: '#ffffff' }) : line(t, s, { bold: i === 1, gap: i === 1 ? 0.9 : 0.1 })));
      return {
        width: W, minAspect: 0.45, margin: 60, right: W * 0.2 + 40, face, paper: r.pick(['#ffffff', '#fdf8ec', '#eef3fb']), ink: '#1a1a1a', lineHeight: 1.35, lines,
        decorate: (h, placed) => {
          const bandBottom = placed[0]!.box.y + placed[0]!.box.h + s * 0.45;
          return `${rect(W, bandBottom, band)}<line x1="${W * 0.8}" x2="${W * 0.8}" y1="${bandBottom + 10}" y2="${h - 10}" stroke="#888" stroke-width="3" stroke-dasharray="4 10"/>`;
        },
      };
    }
    case 'letter': {
      const W = 1700;
      const s = W / r.range(46, 54);
      const bodyStart = 5;
      const lines = L.map((t, i) =>
        line(t, i === 0 ? s * 1.25 : s, {
          bold: i === 0,
          body: i !== 0,
          gap: i === 3 || i === 4 || i === bodyStart || i === L.length - 2 ? 1.2 : i === L.length - 1 ? 1.6 : 0,
        }),
      );
      return { width: W, minAspect: 1.414, margin: 170, face, paper: r.pick(['#ffffff', '#fbfaf5', '#f7f7f7']), ink: grey(r, 10, 40), lineHeight: 1.5, lines, decorate: () => '' };
    }
    case 'sign': {
      const W = 1200;
      const [bg, fg] = r.pick(BOARDS);
      const lines = L.map((t, i) => line(t, i === 0 ? W / 6 : W / r.range(11, 14), { bold: i === 0 || r.next() < 0.4, align: 'center', body: i !== 0, gap: i === 0 ? 0 : 0.3 }));
      return {
        width: W, minAspect: 0.5, margin: 90, face, paper: bg, ink: fg, lineHeight: 1.25, lines,
        decorate: (h) => `<rect x="28" y="28" width="${W - 56}" height="${h - 56}" rx="30" fill="none" stroke="${fg}" stroke-width="12"/>`,
      };
    }
    case 'wifi-card': {
      const W = 900;
      const s = r.range(48, 60);
      const lines = L.map((t, i) => line(t, i === 0 ? s * 1.4 : s, { bold: i === 0 || (i === 2 && r.next() < 0.5), align: 'center', body: i !== 0, gap: i === 1 ? 0.7 : i === 3 ? 0.6 : 0.15 }));
      const colour = r.pick(['#1f4fa8', '#2e7d32', '#6a1b9a', '#333333']);
      return {
        width: W, minAspect: 0.62, margin: 70, face, paper: r.pick(PASTELS), ink: colour, lineHeight: 1.3, lines,
        decorate: (h) => `<rect x="20" y="20" width="${W - 40}" height="${h - 40}" rx="24" fill="none" stroke="${colour}" stroke-width="5"/>`,
      };
    }
    case 'menu': {
      const W = 1200;
      const s = r.range(36, 44);
      const lines = L.map((t, i) => (i === 0 ? line(t, s * 1.9, { bold: true, align: 'center', body: false }) : /^[A-Z ]+$/.test(t) ? line(t, s * 1.15, { bold: true, gap: 1.1 }) : line(t, s)));
      return { width: W, minAspect: 1.3, margin: 110, face, paper: r.pick(['#fdf6e3', '#ffffff', '#f3ede0', '#1e1e1e']), ink: '', lineHeight: 1.45, lines, decorate: () => '' };
    }
    case 'label': {
      const W = 900;
      const s = r.range(40, 50);
      const lines = L.map((t, i) => line(t, i === 0 ? s * 1.3 : s, { bold: i === 0, body: i !== 0, gap: i === 1 ? 0.3 : 0 }));
      return {
        width: W, minAspect: 0.55, margin: 60, reserve: 150, face, paper: r.pick(['#ffffff', '#d9c3a0', '#fffbe6']), ink: '#111111', lineHeight: 1.3, lines,
        decorate: (h) => barcode(r, 60, h - 170, W * 0.6, 110) + `<rect x="8" y="8" width="${W - 16}" height="${h - 16}" fill="none" stroke="#222" stroke-width="4"/>`,
      };
    }
    case 'poster': {
      const W = 1200;
      const [bg, fg] = r.pick(POSTERS);
      const lines = L.map((t, i) => line(t, i === 0 ? W / 7 : W / r.range(16, 20), { bold: i === 0 || i === 1, align: 'center', body: i !== 0, gap: i === 1 ? 0.8 : 0.35 }));
      return { width: W, minAspect: 1.35, margin: 90, face, paper: bg, ink: fg, lineHeight: 1.3, lines, decorate: () => '' };
    }
  }
}

/** Vertical bars of random widths: a barcode-like pattern with no readable text. */
function barcode(r: Rng, x: number, y: number, w: number, h: number): string {
  let out = '';
  for (let cx = x; cx < x + w; ) {
    const bw = r.int(2, 9);
    if (r.next() < 0.55) out += `<rect x="${cx}" y="${y}" width="${bw}" height="${h}" fill="#111"/>`;
    cx += bw + r.int(2, 6);
  }
  return out;
}

/** Lays the document out; widths come from the real fonts, so lines never overflow the paper. */
export async function layoutDocument(spec: DocumentSpec, fonts: DocumentFonts, r: Rng): Promise<Paper> {
  const st = styleFor(spec, r);
  if (!st.ink) st.ink = st.paper === '#1e1e1e' ? '#f4f1e8' : '#1a1a1a';
  const texts = st.lines.map((l) => (st.face.caps ? l.text.toUpperCase() : l.text));
  const right = st.right ?? st.margin;
  const room = st.width - st.margin - right;
  // width of each line at its preferred size: columns need their parts and a gap between
  const widths = await Promise.all(
    st.lines.map(async (l, i) => {
      const parts = texts[i]!.split('\t');
      const ws = await Promise.all(parts.map((p) => measureText(fonts, st.face, l.bold, p, Math.round(l.size))));
      return ws.reduce((a, b) => a + b, 0) + (parts.length - 1) * l.size * 1.5;
    }),
  );
  const fit = widths.map((w) => Math.min(1, room / Math.max(1, w)));
  const bodyFit = Math.min(1, ...fit.filter((_, i) => st.lines[i]!.body));
  let y = st.margin;
  const placed: (PaperLine & { svg: string })[] = [];
  st.lines.forEach((l, i) => {
    const k = l.body ? bodyFit : fit[i]!;
    const size = l.size * k;
    y += l.gap * size;
    const baseline = y + size * 0.95;
    const w = widths[i]! * k;
    const parts = texts[i]!.split('\t');
    const attrs = `font-family="${st.face.family}" font-size="${size.toFixed(1)}"${l.bold ? ' font-weight="bold"' : ''} fill="${l.fill ?? st.ink}" xml:space="preserve"`;
    const x0 = l.align === 'center' ? st.margin + (room - w) / 2 : l.align === 'right' ? st.width - right - w : st.margin;
    let svg: string;
    if (l.align === 'columns' && parts.length === 2) {
      svg = `<text x="${st.margin}" y="${baseline.toFixed(1)}" ${attrs}>${esc(parts[0]!)}</text><text x="${st.width - right}" y="${baseline.toFixed(1)}" text-anchor="end" ${attrs}>${esc(parts[1]!)}</text>`;
    } else {
      svg = `<text x="${x0.toFixed(1)}" y="${baseline.toFixed(1)}" ${attrs}>${esc(parts.join(' '))}</text>`;
    }
    const box = l.align === 'columns' ? { x: st.margin, y: baseline - size * 0.78, w: room, h: size } : { x: x0, y: baseline - size * 0.78, w, h: size };
    placed.push({ text: lineText(texts[i]!), box, svg });
    y += size * st.lineHeight;
  });
  const height = Math.round(Math.max(y + st.margin * 1.1 + (st.reserve ?? 0), st.width * st.minAspect));
  const outline = st.outline ? `<path d="${st.outline(height)}" fill="${st.paper}"/>` : `<rect width="${st.width}" height="${height}" fill="${st.paper}"/>`;
  const lines = placed.map(({ text, box }) => ({ text, box }));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${st.width} ${height}" width="${st.width}" height="${height}">${outline}${st.decorate(height, lines)}${placed.map((p) => p.svg).join('')}</svg>`;
  return { svg, width: st.width, height, lines };
}

/** The document's text as laid out (caps faces upper-case it): what a reader should find. */
export function paperText(paper: Paper): string {
  return paper.lines.map((l) => l.text).join('\n');
}
