// Model-free baselines for MMEB-format suites: the floor any trained model must clear.
export * from './random';
export * from './bow';
export * from './trunk';
export * from './trunk-bow';
