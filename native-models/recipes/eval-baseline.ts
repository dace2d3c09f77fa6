// Runs the mini-MMEB suite end to end with a model-free baseline: every distinct input
// gets a random unit vector (seeded by its content), so P@1 should sit at chance. Prints
// the score table and chance level per set; a check that the suite, the reader and the
// runner fit together, and the floor any trained model must clear.
//   npx tsx native-models/recipes/eval-baseline.ts [DIR/eval] [--json OUT]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chanceP1, evaluate, formatScoresTable, readSuite } from '../../main/ml/eval';
import type { EvalSide } from '../../main/ml/eval';
import { Rng } from './lib/rng';

const DIM = 64;

function randomVector(s: EvalSide): number[] {
  const r = new Rng(`${s.imagePath ?? ''}\u0000${s.text}`);
  return Array.from({ length: DIM }, () => r.next() - 0.5);
}

async function main() {
  const argv = process.argv.slice(2);
  const jsonAt = argv.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  const dir = resolve(argv.find((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1)) ?? '.trove-build/data/eval');
  const suite = await readSuite(dir);
  const t0 = Date.now();
  const scores = await evaluate(suite, { embedQuery: randomVector, embedTarget: randomVector }, { model: 'random-vectors (chance baseline)' });
  console.log(formatScoresTable(scores));
  console.log(`\n${suite.datasets.length} sets, ${suite.datasets.reduce((a, d) => a + d.rows.length, 0)} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log('\nchance P@1 per set (%):');
  for (const d of suite.datasets) console.log(`  ${d.name.padEnd(26)} ${(100 * chanceP1(d.rows.map((r) => r.candidates.length))).toFixed(1)}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(scores, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
