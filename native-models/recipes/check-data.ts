// Checks a built data folder: every referenced image exists, every eval set reads with
// main/ml/eval, and training never shares an item with evaluation (no image, and no
// query or target text of an eval row, occurs in any training row).
//   npx tsx native-models/recipes/check-data.ts [DIR]     (default .trove-build/data)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSuite } from '../../main/ml/eval';

async function main() {
  const dir = resolve(process.argv[2] ?? '.trove-build/data');
  const trainImages = new Set<string>();
  const trainTexts = new Set<string>();
  let trainRows = 0;
  let missing = 0;
  for (const f of readdirSync(join(dir, 'train')).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, 'train', f), 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as Record<string, string>;
      trainRows++;
      for (const k of ['qry_image_path', 'pos_image_path', 'neg_image_path']) {
        const p = r[k]!;
        if (p) {
          trainImages.add(p);
          if (!existsSync(join(dir, p))) missing++;
        }
      }
      trainTexts.add(r.qry!);
      trainTexts.add(r.pos_text!);
    }
  }
  const suite = await readSuite(join(dir, 'eval'));
  const problems: string[] = [];
  if (suite.skipped.length) problems.push(`skipped eval files: ${JSON.stringify(suite.skipped)}`);
  if (Object.keys(suite.issues).length) problems.push(`issues: ${JSON.stringify(suite.issues)}`);
  // A side with an image is an item by its image (VQA questions and instructions repeat
  // by design); a text-only side is an item by its text, unless it is generic by design
  // (an instruction without content, a closed answer, a label).
  const generic = (t: string) => !t.includes(':') && t.split(' ').length <= 12;
  for (const d of suite.datasets) {
    let shared = 0;
    let sharedText = 0;
    for (const row of d.rows) {
      const q = row.query;
      const c0 = row.candidates[0]!;
      for (const s of [q, c0]) {
        if (s.image && !existsSync(s.image)) missing++;
        if (s.imagePath && trainImages.has(s.imagePath)) shared++;
      }
      const raw = (s: { text: string; imagePath: string | null }) => (s.imagePath ? `<|image_1|>\n${s.text}` : s.text);
      for (const s of [q, c0]) if (!s.imagePath && !generic(s.text) && trainTexts.has(raw(s))) sharedText++;
    }
    const line = `${d.name.padEnd(26)} ${d.metaTask.padEnd(14)} ${d.split}  rows ${String(d.rows.length).padStart(5)}  candidates ${d.rows[0]?.candidates.length ?? 0}`;
    console.log(line + (shared || sharedText ? `  SHARED WITH TRAINING: ${shared} images, ${sharedText} texts` : ''));
    if (shared || sharedText) problems.push(`${d.name}: ${shared} images and ${sharedText} texts also in training`);
  }
  console.log(`training rows ${trainRows}, training images ${trainImages.size}, missing image files ${missing}`);
  if (missing) problems.push(`${missing} image files missing`);
  if (problems.length) {
    console.error('PROBLEMS:\n' + problems.map((p) => '  ' + p).join('\n'));
    process.exit(1);
  }
  console.log('data ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
