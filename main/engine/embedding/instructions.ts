// How documents and queries are phrased for the model. Documents (photos, note chunks)
// are embedded as targets, queries with the query-side instruction of the same task:
//   photo  <- retrieval_text_to_image.target     text query for photos <- .query
//   note   <- retrieval_text_to_text.target      text query for notes  <- .query
//   image query (more like this)                 <- retrieval_image_to_image.query
// A template may contain {text}: the user's text is substituted there, and the EmbedInput
// then carries the whole sentence as its instruction with an empty text. Otherwise the
// instruction is the template and the text goes in `text`.
import type { ItemKind } from '../../contract/api';
import type { EmbedInput, EmbeddingModel, RgbImage, TaskName } from '../../ml/models/embedding-model';

export function fill(template: string, text: string, image?: RgbImage): EmbedInput {
  const input: EmbedInput = template.includes('{text}')
    ? { instruction: template.split('{text}').join(text).trim(), text: '' }
    : { instruction: template.trim(), text };
  if (image) input.image = image;
  return input;
}

/** The exact words the model sees, for showing to the user. */
export function describeInput(input: EmbedInput): string {
  return [input.image ? '<image>' : '', input.instruction, input.text].filter((s) => s !== '').join(' ');
}

export function taskForKind(kind: ItemKind): TaskName {
  return kind === 'image' ? 'retrieval_text_to_image' : 'retrieval_text_to_text';
}

export function targetInput(model: EmbeddingModel, kind: ItemKind, content: { text?: string; image?: RgbImage }): EmbedInput {
  return fill(model.instructions[taskForKind(kind)].target, content.text ?? '', content.image);
}

export function textQueryInput(model: EmbeddingModel, kind: ItemKind, text: string): EmbedInput {
  return fill(model.instructions[taskForKind(kind)].query, text);
}

export function imageQueryInput(model: EmbeddingModel, image: RgbImage, text = ''): EmbedInput {
  return fill(model.instructions.retrieval_image_to_image.query, text, image);
}
