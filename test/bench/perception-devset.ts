// The development photos the detector packages' sizes and thresholds were chosen on: real
// photos that are NOT reserved for evaluation (never gcompris-qt-data or python3-skimage):
// the coral fixtures in this repository (Apache-2.0) and photos from Debian's opencv-doc
// (samples and documentation images, Apache-2.0 AND BSD-3-Clause per its copyright file)
// and plasma-workspace-wallpapers (the photographic wallpapers, GPL-2+). The Debian
// packages are fetched into the recipes' cache (native-models/recipes/lib/fetch.ts).
//
// What each photo shows was written down by looking at it: `objects` are the COCO classes
// plainly there (a detector should find each), `maybe` the ones that are small, partial or
// arguable (neither credited nor counted false); anything else found is a false positive.
// `faces` is the number of faces a person would count, or a [min, max] range where faces
// are tiny, turned away or tightly cropped; `counts` how many of a class a person counts
// where they can be counted (what "two people" or "three dogs" needs).
import { join, resolve } from 'node:path';
import { fetchDeb } from '../../native-models/recipes/lib/fetch';

export interface DevPhoto {
  name: string;
  file: string;
  objects: string[];
  maybe: string[];
  faces: number | [number, number];
  counts: Record<string, number | [number, number]>;
}

type Row = [name: string, objects: string[], maybe: string[], faces: number | [number, number]];

const CORAL: Row[] = [
  ['bird.png', ['bird'], [], 0],
  ['cat.png', ['cat'], ['bed'], 0],
  ['dragonfly.png', [], [], 0],
  ['face.jpg', ['person'], [], 4],
  ['grace_hopper.png', ['person'], ['tie'], 1],
  ['hot_dog.jpg', ['hot dog'], ['sandwich'], 0],
  ['kite_and_cold.jpg', ['person', 'kite'], ['surfboard'], [0, 3]],
  ['owl.jpg', ['bird'], [], 0],
  ['parrot.jpg', ['bird'], [], 0],
  ['pets.jpg', ['dog'], [], 0],
  ['sunflower.png', [], ['potted plant'], 0],
];

/** opencv-doc: examples/data/<name> */
const OPENCV_DATA: Row[] = [
  ['HappyFish.jpg', [], [], 0],
  ['aero1.jpg', [], ['car'], 0],
  ['aloeL.jpg', ['potted plant'], ['vase'], 0],
  ['apple.jpg', ['apple'], [], 0],
  ['baboon.jpg', [], [], 0],
  ['basketball1.png', ['person'], ['sports ball'], [1, 2]],
  ['basketball2.png', ['person'], ['sports ball'], [1, 2]],
  ['board.jpg', [], [], 0],
  ['building.jpg', [], ['potted plant', 'car', 'person'], 0],
  ['butterfly.jpg', [], [], 0],
  ['chicky_512.png', ['dog'], [], 0],
  ['fruits.jpg', ['orange'], ['apple', 'banana'], 0],
  ['home.jpg', ['bird'], ['clock'], 0],
  ['leuvenA.jpg', [], ['car', 'bicycle'], 0],
  ['licenseplate_motion.jpg', ['car'], [], 0],
  ['messi5.jpg', ['sports ball', 'person'], [], [1, 3]],
  ['orange.jpg', ['orange'], [], 0],
  ['rubberwhale1.png', [], [], 0],
  ['smarties.png', [], ['sports ball'], 0],
  ['squirrel_cls.jpg', [], [], 0],
  ['starry_night.jpg', [], [], 0],
  ['stuff.jpg', [], [], 0],
];

/** opencv-doc: the tutorials' photos, opencv4/html/<name> (composites and screenshots with drawn boxes left out) */
const OPENCV_HTML: Row[] = [
  ['2.jpg', [], ['person'], [12, 24]],
  ['3.jpg', [], ['person'], [6, 12]],
  ['227943776_1.jpg', ['person'], [], 1],
  ['230501201_1.jpg', ['person'], ['tie'], 1],
  ['Background_Subtraction_Tutorial_frame.jpg', ['person'], ['car', 'truck'], [0, 10]],
  ['Cascade_Classifier_Tutorial_Result_Haar.jpg', ['person'], [], 1],
  ['astra_color.jpg', ['potted plant'], ['vase', 'orange'], 0],
  ['boat.jpg', [], ['boat'], 0],
  ['cat_det.jpg', ['cat'], [], 0],
  ['demo.jpg', ['person'], ['car', 'truck'], [0, 8]],
  ['example.jpg', ['person'], [], 3],
  ['face_swapped.jpg', ['person'], [], 1],
  ['facereg.jpg', ['person'], [], 4],
  ['julia_facedetect_sample.jpg', ['person'], [], 1],
  ['pexels_double_decker_bus.jpg', ['bus', 'car'], ['traffic light', 'person'], [0, 3]],
  ['plant.jpg', ['potted plant'], ['vase', 'cup', 'book'], 0],
  ['studentsSample_input.jpg', ['person'], ['tv', 'chair'], [0, 2]],
];

/** plasma-workspace-wallpapers: usr/share/wallpapers/<name>/contents/images/2560x1600.jpg (the photographs) */
const PLASMA: Row[] = [
  ['Autumn', [], ['person'], 0],
  ['BytheWater', [], [], 0],
  ['ColdRipple', [], [], 0],
  ['ColorfulCups', ['cup'], [], 0],
  ['DarkestHour', [], [], 0],
  ['EveningGlow', ['boat'], [], 0],
  ['FallenLeaf', [], [], 0],
  ['Grey', [], [], 0],
  ['Kite', ['kite'], [], 0],
  ['OneStandsOut', [], [], 0],
  ['Path', [], [], 0],
  ['summer_1am', [], [], 0],
];

/** Countable objects, by photo name. */
const COUNTS: Record<string, Record<string, number | [number, number]>> = {
  'coral/pets.jpg': { dog: 2 },
  'coral/face.jpg': { person: [3, 4] },
  'coral/grace_hopper.png': { person: 1 },
  'opencv/basketball1.png': { person: 2 },
  'opencv/basketball2.png': { person: 2 },
  'opencv/chicky_512.png': { dog: 1 },
  'opencv/licenseplate_motion.jpg': { car: 1 },
  'opencv-html/227943776_1.jpg': { person: 1 },
  'opencv-html/230501201_1.jpg': { person: 1 },
  'opencv-html/Cascade_Classifier_Tutorial_Result_Haar.jpg': { person: 1 },
  'opencv-html/cat_det.jpg': { cat: 1 },
  'opencv-html/demo.jpg': { person: [6, 8] },
  'opencv-html/Background_Subtraction_Tutorial_frame.jpg': { person: [8, 10] },
  'opencv-html/example.jpg': { person: 3 },
  'opencv-html/face_swapped.jpg': { person: 1 },
  'opencv-html/facereg.jpg': { person: 4 },
  'opencv-html/julia_facedetect_sample.jpg': { person: 1 },
  'opencv-html/pexels_double_decker_bus.jpg': { bus: 1 },
};

const row = (prefix: string, file: string, [name, objects, maybe, faces]: Row): DevPhoto => ({ name: `${prefix}/${name}`, file, objects, maybe, faces, counts: COUNTS[`${prefix}/${name}`] ?? {} });

/** The development photos, fetching the Debian packages into `cacheDir` when needed. */
export function devPhotos(cacheDir = resolve('.trove-build/cache'), log?: (m: string) => void): DevPhoto[] {
  const fixtures = resolve(__dirname, '../fixtures/photos/coral');
  const opencv = fetchDeb('opencv-doc', { cacheDir, ...(log ? { log } : {}) }).root;
  const plasma = fetchDeb('plasma-workspace-wallpapers', { cacheDir, ...(log ? { log } : {}) }).root;
  const doc = join(opencv, 'usr/share/doc/opencv-doc');
  return [
    ...CORAL.map((r) => row('coral', join(fixtures, r[0]), r)),
    ...OPENCV_DATA.map((r) => row('opencv', join(doc, 'examples/data', r[0]), r)),
    ...OPENCV_HTML.map((r) => row('opencv-html', join(doc, 'opencv4/html', r[0]), r)),
    ...PLASMA.map((r) => row('plasma', join(plasma, 'usr/share/wallpapers', r[0], 'contents/images/2560x1600.jpg'), r)),
  ];
}
