/** A FIFO with O(1) push and shift (array + head index, compacted lazily). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as T;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Puts `items` back in front, keeping their order. Rare (only after a failed send). */
  unshiftAll(items: T[]): void {
    this.items = items.concat(this.items.slice(this.head));
    this.head = 0;
  }

  /** Empties the FIFO and returns what it held, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/** A message waiting to go out, or handed to the task and waiting for its callback. */
export interface Outgoing {
  data: string | ArrayBuffer;
  resolve: () => void;
  reject: (err: Error) => void;
  /** Sent with `{ queue: false }`: never queued or requeued. */
  direct: boolean;
}
