/**
 * What the manager has to send, each message with its `send()` promise: the queue (waiting
 * for a link) and the frames in flight (handed to the task, waiting for the platform's
 * callback). A frame in flight when its link is lost is not lost: it goes back to the head
 * of the queue.
 */
import { SocketError, noop } from './errors';
import { Fifo } from './fifo';
import type { SocketData } from './types';

/** A message waiting to go out, or handed to the task and waiting for its callback. */
interface Outgoing {
  _data: SocketData;
  _ok: () => void;
  _fail: (err: Error) => void;
  /** Sent with `{ queue: false }`: never queued or requeued. */
  _direct: boolean;
}

/** Where frames go: the open link. */
export interface FrameSink {
  _send(data: SocketData, confirm?: boolean): void;
}

export class Outbox {
  /** Messages waiting for a link, oldest first. */
  readonly _queue = new Fifo<Outgoing>();
  /** Frames handed to the task whose callback has not come yet, oldest first. */
  private readonly _inflight = new Fifo<Outgoing>();
  /** `send()` promises resolved so far. */
  _sent = 0;

  /** A `send()` promise: its frame handed to `link` now, or, with no link, queued. */
  _add(data: SocketData, direct: boolean, link?: FrameSink): Promise<void> {
    const promise = new Promise<void>(this._capture);
    const item: Outgoing = { _data: data, _ok: this._resolve, _fail: this._reject, _direct: direct };
    if (link) this._hand(item, link);
    else this._queue._push(item);
    return promise;
  }

  /** Hands the oldest queued message to `link`; false when none is left. */
  _sendNext(link: FrameSink): boolean {
    const item = this._queue._shift();
    if (item) this._hand(item, link);
    return item !== undefined;
  }

  /** The platform confirmed a frame: the oldest in flight (callbacks come in send order). */
  _confirmed(): void {
    const item = this._inflight._shift();
    if (!item) return;
    this._sent++;
    item._ok();
  }

  /**
   * The link is gone: its unconfirmed frames go back to the head of the queue (`requeue`),
   * or are rejected with SEND_FAILED carrying the platform's errMsg.
   */
  _takeBack(requeue: boolean, errMsg?: string): void {
    if (this._inflight._size === 0) return;
    const back: Outgoing[] = [];
    for (const item of this._inflight._drain()) {
      if (requeue && !item._direct) back.push(item);
      else item._fail(new SocketError('SEND_FAILED', 'link lost', errMsg));
    }
    if (back.length > 0) this._queue._unshiftAll(back);
  }

  /** Rejects every queued message with CLOSED. */
  _rejectQueued(): void {
    for (const item of this._queue._drain()) item._fail(new SocketError('CLOSED'));
  }

  private _hand(item: Outgoing, link: FrameSink): void {
    this._inflight._push(item);
    link._send(item._data, true);
  }

  /**
   * One executor for every send() promise: it runs synchronously inside `new Promise`, so
   * its two functions are read right after. Saves a closure per frame on the hot path.
   */
  private _resolve: () => void = noop;
  private _reject: (err: Error) => void = noop;
  private readonly _capture = (resolve: () => void, reject: (err: Error) => void): void => {
    this._resolve = resolve;
    this._reject = reject;
  };
}
