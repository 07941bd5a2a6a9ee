/**
 * The H5 page's delivery counters, one per direction of a numbered stream: the page's own
 * numbered sends as they come back (echoed), and the server's numbered ticks. Pure, no DOM.
 */
export class StreamCount {
  /** Numbers delivered in the current stretch. */
  private seen = new Set<number>();
  /** First number of the current stretch (the page's sends start at 1; ticks at the first one seen). */
  private first: number | undefined;
  private highest = 0;
  private readonly start: number | undefined;
  /** Counts of stretches closed by `rebase()`. */
  private earlier = { delivered: 0, lost: 0 };
  /** Numbers that arrived again. */
  duplicated = 0;

  /** `start`: the first number expected (undefined: whichever arrives first). */
  constructor(start?: number) {
    this.start = start;
    this.first = start;
  }

  add(n: number): void {
    if (this.first === undefined) this.first = n;
    if (n < this.first || this.seen.has(n)) {
      this.duplicated++;
      return;
    }
    this.seen.add(n);
    if (n > this.highest) this.highest = n;
  }

  get delivered(): number {
    return this.earlier.delivered + this.seen.size;
  }

  /** Numbers below the highest delivered one that never arrived. */
  get lost(): number {
    const now = this.first === undefined || this.seen.size === 0 ? 0 : this.highest - this.first + 1 - this.seen.size;
    return this.earlier.lost + now;
  }

  /** An announced break (a session resync): what follows is counted as a new stretch. */
  rebase(): void {
    this.earlier = { delivered: this.delivered, lost: this.lost };
    this.seen = new Set();
    this.first = this.start === undefined ? undefined : this.highest + 1;
  }
}

/** The number an inbound text carries: the page's `{"up":k}` echoed, or a server tick's `n`. */
export function numbered(text: string): { up: number } | { tick: number } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(text) as { up?: unknown; type?: unknown; n?: unknown };
    if (typeof m.up === 'number') return { up: m.up };
    if (m.type === 'tick' && typeof m.n === 'number') return { tick: m.n };
  } catch {
    // not one of ours: just shown
  }
  return undefined;
}
