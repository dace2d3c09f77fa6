// The fonts document photos are printed in: free fonts from Debian packages (fetched once
// with fetchDeb into the recipes' cache), handed to librsvg through a private fontconfig
// file so that every machine renders the same glyphs whatever fonts it has installed.
// Widths are measured with sharp's text renderer given the exact font file, so a layout
// never depends on a guess of how wide a font runs.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { fetchDeb } from './fetch';
import type { FetchedPackage } from './fetch';

export interface FontFace {
  /** the fontconfig family name, as written in SVG font-family */
  family: string;
  pkg: string;
  /** font files inside the unpacked package, regular and bold */
  regular: string;
  bold: string;
  /** a caps-only typeface: lines set in it are upper-cased (its lower case is small caps) */
  caps?: boolean;
  mono?: boolean;
}

const T = 'usr/share/fonts/truetype';
const O = 'usr/share/fonts/opentype';

export const FONT_FACES: readonly FontFace[] = [
  { family: 'DejaVu Sans', pkg: 'fonts-dejavu-core', regular: `${T}/dejavu/DejaVuSans.ttf`, bold: `${T}/dejavu/DejaVuSans-Bold.ttf` },
  { family: 'DejaVu Sans Mono', pkg: 'fonts-dejavu-core', regular: `${T}/dejavu/DejaVuSansMono.ttf`, bold: `${T}/dejavu/DejaVuSansMono-Bold.ttf`, mono: true },
  { family: 'DejaVu Serif', pkg: 'fonts-dejavu-core', regular: `${T}/dejavu/DejaVuSerif.ttf`, bold: `${T}/dejavu/DejaVuSerif-Bold.ttf` },
  { family: 'Liberation Sans', pkg: 'fonts-liberation', regular: `${T}/liberation/LiberationSans-Regular.ttf`, bold: `${T}/liberation/LiberationSans-Bold.ttf` },
  { family: 'Liberation Sans Narrow', pkg: 'fonts-liberation', regular: `${T}/liberation/LiberationSansNarrow-Regular.ttf`, bold: `${T}/liberation/LiberationSansNarrow-Bold.ttf` },
  { family: 'Liberation Serif', pkg: 'fonts-liberation', regular: `${T}/liberation/LiberationSerif-Regular.ttf`, bold: `${T}/liberation/LiberationSerif-Bold.ttf` },
  { family: 'Liberation Mono', pkg: 'fonts-liberation', regular: `${T}/liberation/LiberationMono-Regular.ttf`, bold: `${T}/liberation/LiberationMono-Bold.ttf`, mono: true },
  { family: 'Open Sans', pkg: 'fonts-open-sans', regular: `${T}/open-sans/OpenSans-Regular.ttf`, bold: `${T}/open-sans/OpenSans-Bold.ttf` },
  { family: 'Roboto', pkg: 'fonts-roboto-unhinted', regular: `${T}/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf`, bold: `${T}/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf` },
  { family: 'Roboto Condensed', pkg: 'fonts-roboto-unhinted', regular: `${T}/roboto/unhinted/RobotoCondensed-Regular.ttf`, bold: `${T}/roboto/unhinted/RobotoCondensed-Bold.ttf` },
  { family: 'Inconsolata', pkg: 'fonts-inconsolata', regular: `${T}/inconsolata/Inconsolata.otf`, bold: `${T}/inconsolata/Inconsolata.otf`, mono: true },
  { family: 'Courier Prime', pkg: 'fonts-courier-prime', regular: `${O}/courier-prime/Courier Prime.otf`, bold: `${O}/courier-prime/Courier Prime Bold.otf`, mono: true },
  { family: 'Noto Sans Mono', pkg: 'fonts-noto-mono', regular: `${T}/noto/NotoSansMono-Regular.ttf`, bold: `${T}/noto/NotoSansMono-Bold.ttf`, mono: true },
  { family: 'Bebas Neue', pkg: 'fonts-bebas-neue', regular: `${O}/bebas-neue/BebasNeue-Regular.otf`, bold: `${O}/bebas-neue/BebasNeue-Bold.otf`, caps: true },
  { family: 'Comic Neue', pkg: 'fonts-comic-neue', regular: `${O}/comic-neue/ComicNeue-Regular.otf`, bold: `${O}/comic-neue/ComicNeue-Bold.otf` },
  { family: 'Cantarell', pkg: 'fonts-cantarell', regular: `${O}/cantarell/Cantarell-Regular.otf`, bold: `${O}/cantarell/Cantarell-Bold.otf` },
  { family: 'Caladea', pkg: 'fonts-crosextra-caladea', regular: `${T}/crosextra/Caladea-Regular.ttf`, bold: `${T}/crosextra/Caladea-Bold.ttf` },
];

export function fontFace(family: string): FontFace {
  const f = FONT_FACES.find((x) => x.family === family);
  if (!f) throw new Error(`no font face "${family}"; known: ${FONT_FACES.map((x) => x.family).join(', ')}`);
  return f;
}

export interface DocumentFonts {
  /** the absolute path of a face's file */
  file(face: FontFace, bold: boolean): string;
  /** Debian packages the fonts came from (name, version, sha256) for provenance */
  packages: FetchedPackage[];
}

let installed: DocumentFonts | null = null;

/**
 * Fetches the font packages (once) and points fontconfig at them alone. Must run before
 * anything in this process renders SVG text: fontconfig reads its configuration once.
 */
export async function installDocumentFonts(cacheDir = resolve('.trove-build/cache')): Promise<DocumentFonts> {
  if (installed) return installed;
  const pkgs = new Map<string, FetchedPackage>();
  for (const face of FONT_FACES) if (!pkgs.has(face.pkg)) pkgs.set(face.pkg, fetchDeb(face.pkg, { cacheDir }));
  const file = (face: FontFace, bold: boolean) => resolve(pkgs.get(face.pkg)!.root, bold ? face.bold : face.regular);
  for (const face of FONT_FACES) {
    for (const bold of [false, true]) if (!existsSync(file(face, bold))) throw new Error(`${face.pkg} has no ${bold ? face.bold : face.regular}; the package layout changed, update FONT_FACES`);
  }
  const confDir = join(cacheDir, 'document-fonts');
  mkdirSync(confDir, { recursive: true });
  const dirs = [...pkgs.values()].map((p) => `<dir>${resolve(p.root, 'usr/share/fonts')}</dir>`).join('\n  ');
  const conf = join(confDir, 'fonts.conf');
  writeFileSync(conf, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  ${dirs}\n  <cachedir>${resolve(confDir, 'cache')}</cachedir>\n</fontconfig>\n`);
  process.env.FONTCONFIG_FILE = conf;
  installed = { file, packages: [...pkgs.values()] };
  await checkSvgUsesFonts(installed);
  return installed;
}

/** The ink width of `text` at `size` px, measured with the face's own file. */
export async function measureText(fonts: DocumentFonts, face: FontFace, bold: boolean, text: string, size: number): Promise<number> {
  if (!text.trim()) return 0;
  const markup = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const { info } = await sharp({ text: { text: markup, font: `${face.family}${bold ? ' Bold' : ''} ${size}`, fontfile: fonts.file(face, bold), dpi: 72, rgba: true } })
    .png()
    .toBuffer({ resolveWithObject: true });
  return info.width;
}

/** librsvg must find the faces by family name: a narrow caps face must render narrower than DejaVu Sans. */
async function checkSvgUsesFonts(fonts: DocumentFonts): Promise<void> {
  const width = async (family: string) => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="120"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="90" font-family="${family}" font-size="80">HELLO WORLD</text></svg>`;
    const { info } = await sharp(Buffer.from(svg)).trim({ threshold: 40 }).toBuffer({ resolveWithObject: true });
    return info.width;
  };
  const bebas = fontFace('Bebas Neue');
  const [svgBebas, measured] = [await width('Bebas Neue'), await measureText(fonts, bebas, false, 'HELLO WORLD', 80)];
  if (Math.abs(svgBebas - measured) > 0.08 * measured) {
    throw new Error(
      `SVG text is not set in the document fonts (Bebas Neue: ${svgBebas}px in SVG, ${measured}px measured): fontconfig was initialised before installDocumentFonts() ran. Call it before any other text rendering in this process.`,
    );
  }
}
