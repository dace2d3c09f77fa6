// The model the real-package tests run (test/integration/default-model.test.ts,
// mini-mmeb-slice.test.ts): the committed default package, vlm2vec-nano. A reviewer can
// swap in the hashed test double with TROVE_TEST_SWAP_IN_DOUBLE=hashed to see that their
// quality checks need a working model: each of them must then fail (test/README.md,
// "Mutation checks").
import { loadDefaultModel } from '../../main/engine/model-loader';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';

export const DOUBLE_SWAPPED_IN = process.env.TROVE_TEST_SWAP_IN_DOUBLE === 'hashed';

export async function modelUnderTest(): Promise<EmbeddingModel> {
  return DOUBLE_SWAPPED_IN ? new HashedTestEmbedder() : loadDefaultModel();
}
