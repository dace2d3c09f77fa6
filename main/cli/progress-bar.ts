// Indexing progress for a terminal: a redrawn bar on a TTY, plain lines otherwise.
import type { JobProgress } from '../contract/api';

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the counts are of: embedding counts items, the perception passes count photos (and say which passes). */
function unit(p: JobProgress): { prefix: string; noun: string } {
  return p.phase === 'passes' ? { prefix: p.message ? `${p.message}: ` : '', noun: 'photos' } : { prefix: '', noun: 'items' };
}

export function progressLine(p: JobProgress): string {
  if (p.message && p.total === 0) return `${p.state}: ${p.message}`;
  const u = unit(p);
  return `${p.state}: ${u.prefix}${p.done}/${p.total} ${u.noun}, ${p.rate.toFixed(1)}/s, ETA ${formatEta(p.etaSeconds)}`;
}

export function progressBar(p: JobProgress, width = 30): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  const pct = `${Math.floor(frac * 100)}`.padStart(3);
  if (p.message && p.total === 0) return p.message;
  const label = p.phase === 'passes' ? 'recognising ' : '';
  return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${p.done}/${p.total} ${p.rate.toFixed(1)}/s ETA ${formatEta(p.etaSeconds)}${p.state === 'paused' ? ' (paused)' : ''}`;
}

export class ProgressPrinter {
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
    private readonly minIntervalMs = 1000,
  ) {}

  update(p: JobProgress): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${progressBar(p)}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastLine < this.minIntervalMs && p.state === 'running') return;
    this.lastLine = now;
    this.out.write(progressLine(p) + '\n');
  }

  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
