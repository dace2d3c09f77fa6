// Country names a person reads and types. The English name comes from the platform's
// ICU (Intl.DisplayNames), with a few display names made plain where CLDR's carry
// qualifiers ("Myanmar (Burma)", "Hong Kong SAR China", "Congo - Kinshasa"). Aliases
// are the other names people search by ("USA", "UK", "Holland"); the gazetteer puts
// them in a place's search names and the query parser maps them to the country.

const displayNames = new Intl.DisplayNames('en', { type: 'region', fallback: 'code' });

const PLAIN_NAMES: Record<string, string> = {
  MM: 'Myanmar',
  HK: 'Hong Kong',
  MO: 'Macau',
  CD: 'DR Congo',
  CG: 'Republic of the Congo',
  PS: 'Palestine',
  CI: 'Ivory Coast',
  BQ: 'Caribbean Netherlands',
};

/** Other names by ISO 3166-1 alpha-2 code, beside the English name. */
export const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  US: ['USA', 'US', 'U.S.', 'U.S.A.', 'America', 'United States of America', 'the States'],
  GB: ['UK', 'U.K.', 'Britain', 'Great Britain', 'United Kingdom of Great Britain and Northern Ireland'],
  NL: ['Holland', 'The Netherlands'],
  CZ: ['Czech Republic'],
  TR: ['Turkey', 'Türkiye'],
  KR: ['Korea'],
  KP: ['DPRK'],
  CI: ["Côte d'Ivoire"],
  MM: ['Burma'],
  AE: ['UAE', 'Emirates'],
  RU: ['Russian Federation'],
  VA: ['Vatican', 'Holy See'],
  CD: ['DRC', 'Democratic Republic of the Congo', 'Congo-Kinshasa'],
  CG: ['Congo-Brazzaville'],
  MK: ['Macedonia'],
  SZ: ['Swaziland'],
  CV: ['Cabo Verde'],
  TL: ['East Timor'],
  PS: ['Palestinian Territories'],
  MO: ['Macao'],
  VN: ['Viet Nam'],
  BA: ['Bosnia'],
  DE: ['Deutschland'],
};

/**
 * Aliases that are also common words ("photos of us"): the query parser takes them only
 * as written here, in capitals, and a place's search names leave them out.
 */
export const CASE_SENSITIVE_ALIASES: ReadonlySet<string> = new Set(['US', 'U.S.']);

/** The English name of a country ('PT' -> 'Portugal'); the code itself when the platform knows no name. */
export function countryName(code: string): string {
  const c = code.toUpperCase();
  let name = names.get(c);
  if (name === undefined) names.set(c, (name = PLAIN_NAMES[c] ?? displayNames.of(c) ?? c));
  return name;
}

const names = new Map<string, string>();

/** The names a country is searched by: its English name, the platform's name if different, and its aliases. */
export function countryNames(code: string): string[] {
  const c = code.toUpperCase();
  const all = [countryName(c), displayNames.of(c) ?? c, ...(COUNTRY_ALIASES[c] ?? [])];
  return [...new Set(all)];
}
