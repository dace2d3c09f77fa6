// The command line of a recipe that only writes a folder from fetched sources.

/** `--out DIR` (default `defaultOut`) and `--cache DIR` (default .trove-build/cache); anything else is an error. */
export function outAndCache(argv: string[], defaultOut: string): { out: string; cache: string } {
  const a = { out: defaultOut, cache: '.trove-build/cache' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if ((k === '--out' || k === '--cache') && v === undefined) throw new Error(`${k} needs a folder`);
    if (k === '--out') a.out = argv[++i]!;
    else if (k === '--cache') a.cache = argv[++i]!;
    else throw new Error(`unknown argument ${k} (known: --out DIR, --cache DIR)`);
  }
  return a;
}
