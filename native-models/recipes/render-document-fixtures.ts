// Renders the document photos the OCR tests read (test/fixtures/documents/): one photo per
// listed kind and seed by lib/document-photos.ts at 12 MP, then reduced to the size the
// engine hands a text reader (longer side 1600 px, JPEG quality 85) so that the committed
// files stay small. Each photo gets a JSON file beside it: the printed lines with their
// corners in the reduced photo's pixels.
//
//   npx tsx native-models/recipes/render-document-fixtures.ts [--out DIR]
//
// Tests never render (a fresh machine may have no fonts): they read these files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { renderDocumentPhoto, sampleDocument } from './lib/document-photos';
import type { DocumentKind } from './lib/document-photos';

const DOCUMENT_FIXTURES: { kind: DocumentKind; seed: number }[] = [
  { kind: 'receipt', seed: 9001 },
  { kind: 'wifi-card', seed: 9002 },
  { kind: 'sign', seed: 9003 },
  { kind: 'ticket', seed: 9004 },
];
const SIDE = 1600;

async function main() {
  const i = process.argv.indexOf('--out');
  const out = resolve(i >= 0 ? process.argv[i + 1]! : 'test/fixtures/documents');
  mkdirSync(out, { recursive: true });
  for (const { kind, seed } of DOCUMENT_FIXTURES) {
    const photo = await renderDocumentPhoto(sampleDocument(kind, seed));
    const scale = SIDE / Math.max(photo.width, photo.height);
    const jpeg = await sharp(photo.jpeg).resize(Math.round(photo.width * scale), Math.round(photo.height * scale)).jpeg({ quality: 85 }).toBuffer();
    const name = `${kind}-${seed}`;
    writeFileSync(join(out, `${name}.jpg`), jpeg);
    const lines = photo.lines.map((l) => ({ text: l.text, quad: l.quad.map(([x, y]) => [Math.round(x * scale * 10) / 10, Math.round(y * scale * 10) / 10]) }));
    const head = JSON.stringify({ kind, seed, width: Math.round(photo.width * scale), height: Math.round(photo.height * scale) }).slice(0, -1);
    writeFileSync(join(out, `${name}.json`), `${head},"lines":[\n${lines.map((l) => JSON.stringify(l)).join(',\n')}\n]}\n`);
    console.log(`${name}.jpg: ${jpeg.length} bytes, ${lines.length} lines`);
  }
}

void main();
