/**
 * A link's inbound frames, strictly in order: a frame is handled at once unless one before it
 * is still being waited for (a store call, the app's handler); then it queues, and reading
 * pauses above HIGH_WATER frames or `maxBytes` (TCP backpressure) until the queue drains below
 * LOW_WATER frames and half the bytes.
 */
import type { Transport } from './outbox';

const HIGH_WATER = 1000;
const LOW_WATER = 100;
const done = Promise.resolve();

/** What the queue calls back into: its link. */
export interface InboundOwner {
  /** One frame; a promise when the next frame must wait for it. */
  handle(text: string): Promise<void> | undefined;
  isClosed(): boolean;
  failed(err: unknown): void;
}

export class InboundQueue {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private paused = false;
  private busy = false;
  private draining: Promise<void> | undefined;

  constructor(private readonly owner: InboundOwner, private readonly transport: Transport, private readonly maxBytes: number) {}

  push(text: string): void {
    if (!this.busy) {
      // Nothing waits: handled now; frames queue up only behind one that must be waited for.
      const pending = this.handleNow(text);
      if (pending) this.draining = this.drain(pending);
      return;
    }
    this.queue.push(text);
    this.queuedBytes += text.length;
    if (!this.paused && this.transport.pause && (this.queue.length > HIGH_WATER || this.queuedBytes > this.maxBytes)) {
      this.paused = true;
      this.transport.pause();
    }
  }

  /** Resolves when every frame so far has been handled. */
  idle(): Promise<void> {
    return this.draining ?? done;
  }

  clear(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private handleNow(text: string): Promise<void> | undefined {
    try {
      return this.owner.handle(text);
    } catch (err) {
      this.owner.failed(err);
      return undefined;
    }
  }

  /** Waits for `first`, then handles the frames queued meanwhile, in order. */
  private async drain(first: Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await first;
      while (this.queue.length > 0 && !this.owner.isClosed()) {
        const text = this.queue.shift()!;
        this.queuedBytes -= text.length;
        const pending = this.owner.handle(text);
        if (pending) await pending;
        if (this.paused && this.queue.length < LOW_WATER && this.queuedBytes < this.maxBytes / 2) {
          this.paused = false;
          this.transport.resume?.();
        }
      }
    } catch (err) {
      this.owner.failed(err);
    } finally {
      this.busy = false;
      this.draining = undefined;
    }
  }
}
