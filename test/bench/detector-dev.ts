// How the detector packages do on the development photos (test/bench/perception-devset.ts):
// per class, which photos it is found on, missed on, and wrongly found on, with the scores
// (the evidence for the per-class thresholds); per photo, the faces counted against what a
// person counts, and the same at other face thresholds. Used by detector-bench.ts --dev.
import type { LoadedDetector, RawDetection } from '../../main/ml/perception/detector';
import { selectDetections } from '../../main/ml/perception/detector';
import type { LoadedFaceDetector } from '../../main/ml/perception/faces';
import { nonMaxSuppression } from '../../main/ml/perception/nms';
import type { Face, RgbImage } from '../../main/ml/perception/types';
import type { DevPhoto } from './perception-devset';

const f2 = (x: number) => x.toFixed(2);
const inRange = (n: number, want: number | [number, number]) => (typeof want === 'number' ? n === want : n >= want[0] && n <= want[1]);

export interface ClassReport {
  label: string;
  threshold: number;
  /** photos showing the class where it was found (its best score) */
  found: [string, number][];
  /** photos showing the class where it was not found (its best score below the threshold, if any) */
  missed: [string, number | null][];
  /** photos not showing the class where it was found anyway */
  falsePositives: [string, number][];
  /** best score on photos not showing the class, at any threshold >= 0.2 (how close the false ones come) */
  nearMisses: [string, number][];
}

/** Per-class photo-level results of one detector over the development photos. */
export interface SweepRow {
  threshold: number;
  found: number;
  of: number;
  falsePairs: number;
  /** (class, photo) counts within what a person counts, of `countsOf` */
  counted: number;
  countsOf: number;
}

export async function detectorReport(
  det: LoadedDetector,
  photos: readonly DevPhoto[],
  images: readonly RgbImage[],
  sweep: readonly number[] = [],
): Promise<{ classes: ClassReport[]; perPhoto: { name: string; found: string }[]; sweep: SweepRow[]; counted: number; countsOf: number; miscounts: string[] }> {
  const thresholds = det.classes.map((l) => det.config.thresholds.perClass[l] ?? det.config.thresholds.default);
  const best = (ds: RawDetection[]) => {
    const m = new Map<string, number>();
    for (const d of ds) {
      const l = det.classes[d.classIndex]!;
      m.set(l, Math.max(m.get(l) ?? 0, d.score));
    }
    return m;
  };
  const reports = new Map<string, ClassReport>();
  const rep = (label: string): ClassReport => {
    let r = reports.get(label);
    if (!r) {
      r = { label, threshold: thresholds[det.classes.indexOf(label)]!, found: [], missed: [], falsePositives: [], nearMisses: [] };
      reports.set(label, r);
    }
    return r;
  };
  const perPhoto: { name: string; found: string }[] = [];
  const sweepRows: SweepRow[] = sweep.map((threshold) => ({ threshold, found: 0, of: 0, falsePairs: 0, counted: 0, countsOf: 0 }));
  const countRight = (kept: RawDetection[], p: DevPhoto): number =>
    Object.entries(p.counts).filter(([label, want]) => inRange(kept.filter((d) => det.classes[d.classIndex] === label).length, want)).length;
  let counted = 0;
  let countsOf = 0;
  const miscounts: string[] = [];
  for (const [i, p] of photos.entries()) {
    const raw = await det.detectRaw(images[i]!);
    for (const row of sweepRows) {
      const keptAt = selectDetections(raw, thresholds.map(() => row.threshold), det.config.nmsIou);
      const b = best(keptAt);
      row.counted += countRight(keptAt, p);
      row.countsOf += Object.keys(p.counts).length;
      row.of += p.objects.length;
      row.found += p.objects.filter((l) => b.has(l)).length;
      row.falsePairs += [...b.keys()].filter((l) => !p.objects.includes(l) && !p.maybe.includes(l)).length;
    }
    const kept = selectDetections(raw, thresholds, det.config.nmsIou);
    const keptBest = best(kept);
    counted += countRight(kept, p);
    countsOf += Object.keys(p.counts).length;
    for (const [label, want] of Object.entries(p.counts)) {
      const n = kept.filter((d) => det.classes[d.classIndex] === label).length;
      if (!inRange(n, want)) miscounts.push(`${p.name.split('/').pop()}: ${n} ${label} (want ${typeof want === 'number' ? want : want.join('-')})`);
    }
    const rawBest = best(raw.filter((d) => d.score >= 0.2));
    for (const label of p.objects) {
      const s = keptBest.get(label);
      if (s !== undefined) rep(label).found.push([p.name, s]);
      else rep(label).missed.push([p.name, rawBest.get(label) ?? null]);
    }
    for (const [label, s] of keptBest) if (!p.objects.includes(label) && !p.maybe.includes(label)) rep(label).falsePositives.push([p.name, s]);
    for (const [label, s] of rawBest) if (!p.objects.includes(label) && !p.maybe.includes(label)) rep(label).nearMisses.push([p.name, s]);
    const counts = new Map<string, number>();
    for (const d of kept) counts.set(det.classes[d.classIndex]!, (counts.get(det.classes[d.classIndex]!) ?? 0) + 1);
    perPhoto.push({ name: p.name, found: [...counts].map(([l, n]) => `${l}${n > 1 ? ` x${n}` : ''} ${f2(keptBest.get(l)!)}`).join(', ') });
  }
  const classes = [...reports.values()].sort((a, b) => b.found.length + b.missed.length - (a.found.length + a.missed.length) || a.label.localeCompare(b.label));
  return { classes, perPhoto, sweep: sweepRows, counted, countsOf, miscounts };
}

export function printDetectorReport(r: Awaited<ReturnType<typeof detectorReport>>, log: (s: string) => void): void {
  const names = (xs: [string, number | null][]) => xs.map(([n, s]) => `${n.split('/').pop()}${s === null ? '' : ` ${f2(s)}`}`).join(', ');
  const present = r.classes.filter((c) => c.found.length + c.missed.length);
  const found = present.reduce((a, c) => a + c.found.length, 0);
  const all = present.reduce((a, c) => a + c.found.length + c.missed.length, 0);
  const fps = r.classes.reduce((a, c) => a + c.falsePositives.length, 0);
  log(`  at the package's thresholds: ${found} of ${all} (class, photo) pairs found; ${fps} false (class, photo) pairs; counted right ${r.counted} of ${r.countsOf}`);
  if (r.miscounts.length) log(`  miscounted: ${r.miscounts.join('; ')}`);
  for (const s of r.sweep) log(`  one threshold for all classes, ${s.threshold.toFixed(2)}: ${s.found} of ${s.of} found; ${s.falsePairs} false; counted right ${s.counted} of ${s.countsOf}`);
  for (const c of r.classes) {
    if (!c.found.length && !c.missed.length && !c.falsePositives.length) continue;
    log(`  ${c.label} (>= ${c.threshold}): found ${c.found.length}/${c.found.length + c.missed.length}; false on ${c.falsePositives.length}`);
    if (c.missed.length) log(`      missed: ${names(c.missed)}`);
    if (c.falsePositives.length) log(`      false: ${names(c.falsePositives)}`);
    const close = c.nearMisses.filter(([n]) => !c.falsePositives.some(([m]) => m === n));
    if (close.length) log(`      false below threshold: ${names(close)}`);
    log(`      found: ${names(c.found)}`);
  }
}

/** Faces counted per photo at the package's settings, and a sweep of thresholds: photos counted right, photos with a false face. */
/** What facesReport needs of a face detector (a package, or a candidate run another way). */
export type RawFaces = Pick<LoadedFaceDetector, 'detectRaw'> & { config: Pick<LoadedFaceDetector['config'], 'minScore' | 'nmsIou'> };

export async function facesReport(fd: RawFaces, photos: readonly DevPhoto[], images: readonly RgbImage[], sweep: readonly number[]): Promise<{ perPhoto: { name: string; want: string; got: number; scores: string }[]; sweep: { minScore: number; right: number; exact: number; falseOnFaceless: number; of: number }[] }> {
  const raws: Face[][] = [];
  for (const img of images) raws.push(await fd.detectRaw(img, Math.min(...sweep, fd.config.minScore)));
  const count = (raw: Face[], minScore: number) => nonMaxSuppression(raw.filter((f) => f.score >= minScore), fd.config.nmsIou);
  const perPhoto = photos.map((p, i) => {
    const faces = count(raws[i]!, fd.config.minScore);
    return { name: p.name, want: typeof p.faces === 'number' ? String(p.faces) : `${p.faces[0]}-${p.faces[1]}`, got: faces.length, scores: faces.map((f) => f2(f.score)).join(' ') };
  });
  const rows = sweep.map((minScore) => {
    let right = 0;
    let exact = 0;
    let falseOnFaceless = 0;
    photos.forEach((p, i) => {
      const n = count(raws[i]!, minScore).length;
      if (inRange(n, p.faces)) right++;
      if (typeof p.faces === 'number' && p.faces > 0 && n === p.faces) exact++;
      if (p.faces === 0 && n > 0) falseOnFaceless++;
    });
    return { minScore, right, exact, falseOnFaceless, of: photos.length };
  });
  return { perPhoto, sweep: rows };
}

export function printFacesReport(r: Awaited<ReturnType<typeof facesReport>>, photos: readonly DevPhoto[], log: (s: string) => void): void {
  const exactPhotos = photos.filter((p) => typeof p.faces === 'number' && p.faces > 0).length;
  const faceless = photos.filter((p) => p.faces === 0).length;
  for (const p of r.perPhoto) {
    const ok = inRange(p.got, photos.find((x) => x.name === p.name)!.faces);
    if (p.got || p.want !== '0') log(`  ${ok ? ' ' : '!'} ${p.name.padEnd(52)} want ${p.want.padEnd(5)} got ${p.got}  ${p.scores}`);
  }
  log(`  minScore | photos counted right (of ${photos.length}) | exact on the ${exactPhotos} photos with a known count | faceless photos with a false face (of ${faceless})`);
  for (const s of r.sweep) log(`  ${s.minScore.toFixed(2).padEnd(8)} | ${String(s.right).padEnd(38)} | ${String(s.exact).padEnd(46)} | ${s.falseOnFaceless}`);
}
