/** The trainer's progress line: epoch, step, loss per term, samples/s and ETA. */
import type { StepRecord } from './trainer';

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Where progress goes and how often (tests set these; by default stderr, its TTY-ness and the clock). */
export interface ProgressSink {
  tty?: boolean;
  write?: (text: string) => void;
  now?: () => number;
  /** Not on a terminal: at most one line per this many milliseconds (default 10 s), plus the first and last step. */
  everyMs?: number;
}

/**
 * On a terminal: one line redrawn in place. Not on a terminal (CI, logs, `| tee`): plain lines, throttled to one
 * every 10 s plus the first and the last step, so a long step never leaves the log silent. `false`: nothing.
 */
export class Progress {
  private readonly sink: ((line: string) => void) | null;
  private readonly tty: boolean;
  private readonly write: (text: string) => void;
  private readonly now: () => number;
  private readonly everyMs: number;
  private lastPrint = -Infinity;
  private readonly custom: boolean;

  constructor(
    option: boolean | ((line: string) => void) | undefined,
    private readonly totalSteps: number,
    private readonly epochs: number,
    out: ProgressSink = {},
  ) {
    // In a browser there is no stderr: progress goes to a callback (or `out.write`), or nowhere.
    const stderr = typeof process === 'undefined' ? undefined : process.stderr;
    this.tty = out.tty ?? Boolean(stderr?.isTTY);
    this.write = out.write ?? ((t) => void stderr?.write(t));
    this.now = out.now ?? Date.now;
    this.everyMs = out.everyMs ?? 10_000;
    this.custom = typeof option === 'function';
    if (typeof option === 'function') this.sink = option;
    else if (option === false || (!stderr && !out.write)) this.sink = null;
    else this.sink = (line) => this.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  step(r: StepRecord, elapsed: number, samples: number): void {
    if (!this.sink) return;
    const now = this.now();
    const first = this.lastPrint === -Infinity;
    if (!this.custom && !this.tty && !first && now - this.lastPrint < this.everyMs && r.step !== this.totalSteps) return;
    this.lastPrint = now;
    const terms = Object.entries(r.terms)
      .map(([k, v]) => `${k} ${v.toPrecision(3)}`)
      .join(' ');
    const total = this.totalSteps ? `/${this.totalSteps}` : '';
    const frac = this.totalSteps ? Math.min(1, r.step / this.totalSteps) : 0;
    const bar = this.totalSteps ? `[${'='.repeat(Math.round(frac * 20)).padEnd(20)}] ` : '';
    const eta = this.totalSteps ? ` ETA ${duration((elapsed / r.step) * (this.totalSteps - r.step))}` : '';
    const rate = (samples / Math.max(elapsed, 1e-9)).toFixed(1);
    this.sink(
      `epoch ${r.epoch + 1}/${this.epochs} step ${r.step}${total} ${bar}loss ${r.loss.toPrecision(4)}${terms ? ` (${terms})` : ''} lr ${r.lr.toExponential(1)} ${rate} samples/s${eta}`,
    );
  }

  note(line: string): void {
    if (!this.sink) return;
    this.sink(line);
    if (this.tty && !this.custom) this.write('\n');
  }

  done(): void {
    if (this.sink && this.tty && !this.custom) this.write('\n');
  }
}
