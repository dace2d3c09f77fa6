// MMEB-format evaluation: read suites, score Precision@1, aggregate, run any encoder (an
// EmbeddingModel through modelEncoder), tabulate runs side by side.
export * from './types';
export * from './mmeb-datasets';
export * from './image-token';
export * from './reader';
export * from './score';
export * from './runner';
export * from './load-all';
export * from './images';
export * from './model-encoder';
export * from './runs-table';
