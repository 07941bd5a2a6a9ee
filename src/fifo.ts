/** A FIFO with O(1) push and shift (array + head index, compacted lazily). */
export class Fifo<T> {
  private _items: T[] = [];
  private _head = 0;

  get _size(): number {
    return this._items.length - this._head;
  }

  _push(item: T): void {
    this._items.push(item);
  }

  _shift(): T | undefined {
    if (this._head === this._items.length) return undefined;
    const item = this._items[this._head];
    this._items[this._head++] = undefined as unknown as T;
    if (this._head === this._items.length) {
      this._items.length = 0;
      this._head = 0;
    } else if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return item;
  }

  /** Puts `items` back in front, keeping their order. Rare (only after a failed send). */
  _unshiftAll(items: T[]): void {
    this._items = items.concat(this._items.slice(this._head));
    this._head = 0;
  }

  /** Empties the FIFO and returns what it held, oldest first. */
  _drain(): T[] {
    const rest = this._items.slice(this._head);
    this._items = [];
    this._head = 0;
    return rest;
  }
}

