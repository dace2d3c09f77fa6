// The settings of Trove's detector packages, chosen on non-reserved real photos (the 62 of
// test/bench/perception-devset.ts) with `npx tsx test/bench/detector-bench.ts --dev`; the
// figures behind each choice are in the packages' README.md. The development set is small:
// each per-class threshold below rests on one or two photos, so most classes keep the default.
import type { SquareFit } from '../../../main/ml/perception/square-input';

/** CenterNet: input side, how photos become the square input, per-class NMS IoU and score thresholds. */
export const DETECTOR_SETTINGS = {
  /**
   * 320 px: on the development photos it found as many (class, photo) pairs as 512 px with
   * fewer false ones and counted people and dogs better than 256 and 288 px (17 of 18 counts
   * right at 0.3, against 15 and 14), at about 40% of 512 px's CPU time (README: "How the
   * size and thresholds were chosen"). 256 px is the cheaper choice (about 3/4 of the cost) if
   * counts matter less: `--size 256`.
   */
  size: 320,
  /** squashed, as human feeds CenterNet: letterboxing ('contain') raised person scores but doubled the false pairs at 0.3 */
  fit: 'fill' as SquareFit,
  /** per class, so a person is never suppressed by the dog in their arms; CenterNet's 3x3 peak picking already thins duplicates */
  nmsIou: 0.5,
  /** the least true score of most classes was 0.32-0.4 (an apple 0.32, an orange 0.32, people from 0.36) */
  defaultThreshold: 0.3,
  perClass: {
    // false positives seen on photos without the class, never seen true: clocks on a circuit
    // board and a lecture hall (0.33, 0.38), remotes in hands holding a ball (0.32, 0.38), a
    // teddy bear on a baboon (0.32), a cake on a wallpaper of plastic cups (0.40)
    clock: 0.4,
    remote: 0.4,
    'teddy bear': 0.35,
    cake: 0.45,
  } as Record<string, number>,
};

/** BlazeFace: letterboxed input, the least face score and the NMS IoU. */
export const FACE_SETTINGS = {
  /** letterboxed: squashed, the faces of a wide group photo (coral's face.jpg) scored 0.68-0.87 and those of two face grids went missing; letterboxed 0.85-0.95 */
  fit: 'contain' as SquareFit,
  /** every development photo was counted right from 0.65 to 0.70; 0.60 put a face on 3 faceless photos, 0.75 missed tight face crops */
  minScore: 0.7,
  nmsIou: 0.3,
};
