import { describe, expect, it } from 'vitest';
import { hasImageToken, parseSide, stripImageTokens } from '../../../main/ml/eval';

describe('image tokens', () => {
  it('recognises the Phi-3.5-V, Qwen2-VL and LLaVA image tokens', () => {
    expect(hasImageToken('<|image_1|>\nRepresent the given image.')).toBe(true);
    expect(hasImageToken('<|image_12|> x')).toBe(true);
    expect(hasImageToken('<|vision_start|><|image_pad|><|vision_end|>Find x')).toBe(true);
    expect(hasImageToken('<image> what')).toBe(true);
    expect(hasImageToken('Find me an everyday image that matches the given caption: a dog')).toBe(false);
    expect(hasImageToken('<|image|>')).toBe(false);
  });

  it('strips them and tidies whitespace, keeping the rest of the text', () => {
    expect(stripImageTokens('<|image_1|>\nRepresent the given image for classification')).toBe('Represent the given image for classification');
    expect(stripImageTokens('<|image_1|> Select the portion of the image that isolates the object labeled as "dog"')).toBe(
      'Select the portion of the image that isolates the object labeled as "dog"',
    );
    expect(stripImageTokens('<|image_pad|>\nFind a day-to-day image.\n')).toBe('Find a day-to-day image.');
    expect(stripImageTokens('Compare <|image_1|> and <|image_2|> now')).toBe('Compare and now');
    expect(stripImageTokens('line one\nline two')).toBe('line one\nline two');
  });

  it('parseSide: an image is present when the path is non-empty', () => {
    expect(parseSide('<|image_1|>\nq', 'a/b.jpg', '/r')).toEqual({ side: { text: 'q', imagePath: 'a/b.jpg', image: '/r/a/b.jpg' }, issue: null });
    expect(parseSide('text only', '', '/r')).toEqual({ side: { text: 'text only', imagePath: null, image: null }, issue: null });
    expect(parseSide('t', null, '/r').side.image).toBeNull();
    expect(parseSide('<|image_1|> t', '/abs/x.png', '/r').side.image).toBe('/abs/x.png');
  });
});
