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

// Longest prefix first, so "Find me an everyday image ..." is not taken for a shorter
// template that happens to start the same way.
const TEMPLATES = [...new Set(Object.values(INSTRUCTIONS).flatMap((i) => [i.query, i.target]))]
  .filter((t) => t !== '{}')
  .map((t) => {
    const at = t.indexOf('{}');
    return at < 0 ? { fixed: t, prefix: t, suffix: '' } : { fixed: null, prefix: t.slice(0, at), suffix: t.slice(at + 2) };
  })
  .sort((a, b) => b.prefix.length - a.prefix.length);

/**
 * The text of one side with its instruction taken out, for the "without instructions"
 * ablation (the model sees only the image and the content: the caption, question, label or
 * note). Image tokens are removed too; a side whose text is only a fixed instruction
 * ("Represent the given image.") becomes ''. Text that matches no template is kept as is.
 */
export function withoutInstruction(text: string): string {
  const t = text.split(IMAGE_TOKEN).join('').trim();
  for (const m of TEMPLATES) {
    if (m.fixed !== null) {
      if (t === m.fixed) return '';
    } else if (t.length >= m.prefix.length + m.suffix.length && t.startsWith(m.prefix) && t.endsWith(m.suffix)) {
      return t.slice(m.prefix.length, t.length - m.suffix.length).trim();
    }
  }
  return t;
}
