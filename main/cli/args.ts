// Command-line parsing: `trove [--data DIR] <command> [args] [--flags]`.
export interface ParsedArgs {
  command: string | null;
  positional: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value; every other --flag is a switch. */
const valued = new Set(['data', 'image', 'k', 'kind', 'limit', 'sort', 'from', 'to', 'place', 'port', 'suite', 'mmeb', 'images', 'model', 'trunk', 'search', 'text', 'max-pixels', 'id', 'pairs', 'out', 'steps', 'scope', 'batch', 'chunk', 'lr', 'threads', 'held-out', 'distractors', 'work']);

export class UsageError extends Error {}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.set('help', true);
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (valued.has(name)) {
        const value = eq === -1 ? argv[++i] : a.slice(eq + 1);
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, value);
      } else {
        if (eq !== -1) throw new UsageError(`--${name} does not take a value`);
        flags.set(name, true);
      }
    } else positional.push(a);
  }
  return { command: positional.shift() ?? null, positional, flags };
}

export function flagString(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagInt(a: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flagString(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}
