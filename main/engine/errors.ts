// Errors the engine throws at its API: `code` is one of the contract's ApiErrorCode values
// (dispatch maps it), `message` says what happened and what to do.
import type { ApiErrorCode } from '../contract/api';

export class EngineError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function noModel(): EngineError {
  return new EngineError(
    'unavailable',
    'No embedding model is installed: expected a model package in native-models/vlm2vec-nano (manifest.json). Indexing and search need one; adding folders, status and errors work without it.',
  );
}
