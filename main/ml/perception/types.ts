// What the perception models (classifier, object detector, face detector, OCR) give the
// engine. They see a photo the engine decoded once (EXIF-rotated, sRGB, any size up to a
// few megapixels) and each resizes it to its own input. Boxes are fractions of that
// image (0..1), so they hold for the original photo at any resolution.
import type { RgbImage } from '../models/embedding-model';

export type { RgbImage };

/** A box as fractions of the image's width and height (x, y: top-left corner). */
export interface FractionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One class of a classifier, with its probability. */
export interface LabelScore {
  /** the human-readable label, e.g. 'golden retriever' */
  label: string;
  score: number;
  /** the class index in the model's output */
  index: number;
  /** WordNet 3.0 noun synset id ('n02099601') when the label set maps to WordNet */
  wnid?: string;
  /** the English name when `label` is a species' Latin name ('Blue Jay' for 'Cyanocitta cristata') */
  commonName?: string;
}

/** One object found by the detector (after non-maximum suppression and per-class thresholds). */
export interface Detection {
  /** COCO-80 class name, e.g. 'dog', 'person' */
  label: string;
  score: number;
  box: FractionBox;
}

/** One face found by the face detector. */
export interface Face {
  score: number;
  box: FractionBox;
}

/** One line of text read from the image. */
export interface OcrLine {
  text: string;
  /** mean character confidence of the recognizer, 0..1 */
  score: number;
  box: FractionBox;
}

/** Options every perception loader takes. */
export interface PerceptionLoadOptions {
  /** execution providers to try, best first; 'cpu' is appended */
  providers?: readonly string[];
  threads?: number;
}

export interface ImageClassifier {
  readonly id: string;
  readonly version: string;
  /** the top `k` classes of each image, best first */
  classify(images: RgbImage[], k?: number): Promise<LabelScore[][]>;
  dispose(): Promise<void>;
}

export interface ObjectDetector {
  readonly id: string;
  readonly version: string;
  detect(image: RgbImage): Promise<Detection[]>;
  dispose(): Promise<void>;
}

export interface FaceDetector {
  readonly id: string;
  readonly version: string;
  detect(image: RgbImage): Promise<Face[]>;
  dispose(): Promise<void>;
}

export interface TextReader {
  readonly id: string;
  readonly version: string;
  /** the lines of text in the image, top to bottom; [] when none is detected (recognition runs only where text is detected) */
  read(image: RgbImage): Promise<OcrLine[]>;
  dispose(): Promise<void>;
}
