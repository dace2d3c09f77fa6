// VLM2Vec's instructions (first template of each list in the V1 code; see
// shared/reference/vlm2vec.md), plus Trove's text-to-text ("notes") pair. `{}` marks
// where the text goes. Written to instructions.json beside the data so a model package
// can carry the exact words it was trained with.
export const IMAGE_TOKEN = '<|image_1|>';

export const INSTRUCTIONS = {
  classification: { query: 'Represent the given image for classification', target: '{}' },
  classification_object: { query: 'Identify the object shown in the image', target: '{}' },
  vqa: { query: 'Represent the given image with the following question: {}', target: '{}' },
  retrieval_text_to_image: { query: 'Find me an everyday image that matches the given caption: {}', target: 'Represent the given image.' },
  retrieval_image_to_text: { query: 'Find an image caption describing the given everyday image.', target: '{}' },
  retrieval_image_to_image: { query: 'Find a day-to-day image that looks similar to the provided image.', target: 'Represent the given image.' },
  retrieval_text_to_text: { query: 'Find a note that matches the given query: {}', target: 'Represent the given note: {}' },
  retrieval_word_to_definition: { query: 'Find the definition of the given word: {}', target: 'Represent the given note: {}' },
  grounding: { query: 'Select the portion of the image that isolates the object labeled as "{}"', target: 'Represent the given cropped image of the object' },
  grounding_refexp: { query: 'Select the portion of the image that follows the language expressions. {}', target: 'Represent the given cropped image of the object' },
} as const;

export type InstructionName = keyof typeof INSTRUCTIONS;

/** Text of one side in MMEB form: `<|image_1|>\n{instruction}` when it carries an image. */
export function side(template: string, text: string | null, image: boolean): string {
  const body = text === null ? template : template.split('{}').join(text);
  return image ? `${IMAGE_TOKEN}\n${body}` : body;
}
