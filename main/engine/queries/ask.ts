// Ask (VQA): one photo + a question -> candidate answers ranked. The query is the photo
// with the model's vqa query instruction (the question fills {text}); the candidates
// (the built-in vocabulary plus the user's options) are embedded as vqa targets. The
// vocabulary's embeddings are computed once per model version and kept in memory. A model
// that reads perception evidence gets the photo's with the photo (query-image.ts photoQuery).
import type { Answer, AskResponse } from '../../contract/api';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import { withEvidence } from '../embedding/evidence';
import { describeInput, fill } from '../embedding/instructions';
import { ANSWER_VOCABULARY } from './answer-vocabulary';

const BATCH = 32;

export function askQueryInput(model: EmbeddingModel, image: RgbImage, question: string, perception?: PerceptionEvidence): EmbedInput {
  return withEvidence(model, fill(model.instructions.vqa.query, question, image), perception);
}

export function answerInput(model: EmbeddingModel, answer: string): EmbedInput {
  return fill(model.instructions.vqa.target, answer);
}

/** Embeds many inputs in batches of the model's comfortable size. */
export async function embedAll(model: EmbeddingModel, inputs: EmbedInput[], batch = BATCH): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i += batch) out.push(...(await model.embed(inputs.slice(i, i + batch))));
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** The vocabulary's target embeddings, per model object and version (computed on first Ask). */
export class AnswerCache {
  private cache = new WeakMap<EmbeddingModel, { version: string; vectors: Promise<Float32Array[]> }>();

  vectors(model: EmbeddingModel, vocabulary: readonly string[] = ANSWER_VOCABULARY): Promise<Float32Array[]> {
    const hit = this.cache.get(model);
    if (hit && hit.version === model.version) return hit.vectors;
    const vectors = embedAll(model, vocabulary.map((a) => answerInput(model, a)));
    this.cache.set(model, { version: model.version, vectors });
    vectors.catch(() => this.cache.delete(model)); // a failed run is not cached
    return vectors;
  }
}

export interface AskQuery {
  itemId: number;
  image: RgbImage;
  /** what the perception models saw in the photo (models that read it; absent: not known) */
  perception?: PerceptionEvidence;
  question: string;
  options: string[];
  k: number;
}

export async function ask(model: EmbeddingModel, cache: AnswerCache, q: AskQuery, vocabulary: readonly string[] = ANSWER_VOCABULARY): Promise<AskResponse> {
  const query = askQueryInput(model, q.image, q.question, q.perception);
  const vocabVecs = await cache.vectors(model, vocabulary);
  const options = [...new Set(q.options.map((o) => o.trim()).filter((o) => o.length > 0))];
  const [qv, ...optVecs] = await embedAll(model, [query, ...options.map((o) => answerInput(model, o))]);
  const best = new Map<string, Answer>();
  const consider = (text: string, v: Float32Array, fromOptions: boolean) => {
    const key = text.toLowerCase();
    const score = dot(qv!, v);
    const cur = best.get(key);
    // a user's option wins a tie with the same word from the vocabulary (it is shown as theirs)
    if (!cur || score > cur.score || (fromOptions && !cur.fromOptions && score >= cur.score)) best.set(key, { text, score, fromOptions });
  };
  vocabulary.forEach((a, i) => consider(a, vocabVecs[i]!, false));
  options.forEach((o, i) => consider(o, optVecs[i]!, true));
  const answers = [...best.values()].sort((a, b) => b.score - a.score || Number(b.fromOptions) - Number(a.fromOptions) || a.text.localeCompare(b.text)).slice(0, q.k);
  return { itemId: q.itemId, answers, instruction: describeInput(query) };
}
