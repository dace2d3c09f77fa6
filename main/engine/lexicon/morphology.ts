// WordNet's "morphy" for nouns: the base forms a word may be an inflection of, among
// the words the lexicon knows. An exception list first ("geese" -> "goose", from
// noun.exc), then the detachment rules of WordNet's morph.c for nouns. A phrase inflects
// on its last word ("golden retrievers" -> "golden retriever").

/** WordNet's noun suffix rules, in its order: [ending, replacement] */
const NOUN_RULES: readonly [string, string][] = [
  ['s', ''],
  ['ses', 's'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
];

/**
 * Base forms of a lower-case word or phrase that `known` accepts: the word itself first
 * when known ("glasses" is a lemma, "glass" follows), then the exception list's base
 * forms, then what the suffix rules give. Empty when none is known.
 */
export function nounBaseForms(word: string, exceptions: ReadonlyMap<string, readonly string[]>, known: (w: string) => boolean): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    if (known(w) && !out.includes(w)) out.push(w);
  };
  add(word);
  const space = word.lastIndexOf(' ');
  const head = space >= 0 ? word.slice(0, space + 1) : '';
  const last = word.slice(space + 1);
  for (const base of exceptions.get(word) ?? exceptions.get(last)?.map((b) => head + b) ?? []) add(base);
  if (last.length > 2 && !last.endsWith('ss')) {
    for (const [ending, replacement] of NOUN_RULES) if (last.endsWith(ending)) add(head + last.slice(0, last.length - ending.length) + replacement);
  }
  return out;
}
