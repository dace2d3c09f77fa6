// Image tokens in MMEB text. MMEB marks "an image goes here" inside the text itself:
// `<|image_1|>` (Phi-3.5-V, the MMEB-eval files), `<|image_pad|>` with
// `<|vision_start|>`/`<|vision_end|>` (Qwen2-VL, VLM2Vec-V2), `<image>` (LLaVA). Trove's
// models take the image separately, so the tokens are removed from the text and the
// image path is kept beside it.
import { isAbsolute, resolve } from 'node:path';
import type { EvalSide } from './types';

const IMAGE_TOKEN_RE = /<\|image_\d+\|>|<\|vision_start\|>|<\|vision_end\|>|<\|image_pad\|>|<image>/g;

/** Whether the text carries an image token. */
export function hasImageToken(text: string): boolean {
  IMAGE_TOKEN_RE.lastIndex = 0;
  const found = IMAGE_TOKEN_RE.test(text);
  IMAGE_TOKEN_RE.lastIndex = 0;
  return found;
}

/** Removes image tokens and tidies the whitespace they leave behind. */
export function stripImageTokens(text: string): string {
  return text
    .replace(IMAGE_TOKEN_RE, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

export interface ParsedSide {
  side: EvalSide;
  /** a problem worth reporting (token without a path, path without a token), or null */
  issue: string | null;
}

/**
 * Turns a raw (text, image path) pair from an MMEB file into an EvalSide. An image is
 * present when the path is non-empty; the token and the path are expected to agree,
 * and a disagreement is reported as an issue (the path wins).
 */
export function parseSide(rawText: unknown, rawPath: unknown, imageRoot: string): ParsedSide {
  const text = typeof rawText === 'string' ? rawText : rawText == null ? '' : String(rawText);
  const path = typeof rawPath === 'string' && rawPath.trim() !== '' ? rawPath.trim() : null;
  const token = hasImageToken(text);
  let issue: string | null = null;
  if (token && !path) issue = 'image token without an image path';
  else if (!token && path) issue = 'image path without an image token';
  return {
    side: {
      text: stripImageTokens(text),
      imagePath: path,
      image: path === null ? null : isAbsolute(path) ? path : resolve(imageRoot, path),
    },
    issue,
  };
}
