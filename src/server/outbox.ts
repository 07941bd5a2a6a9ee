/**
 * What one link writes to its client (PROTOCOL.md "Limits (server)"): nothing is written while
 * more than `maxLinkBuffer` bytes are queued to the peer — `pong` included — so a client that
 * does not read costs at most that much (plus the frame that crossed it); a link stuck there
 * for `idleTimeout` is closed 1013. Server messages come from the store, in order: written at
 * once when they are next, else replayed in pages; the store keeps them whatever the link does.
 */
import { encodeMsg, msgWithSeq } from '../protocol';
import type { SessionStore, StoredMessage } from './store';

/** The socket under a link, as the glue (`ws.ts`) provides it. */
export interface Transport {
  send(text: string): void;
  /** The frames sent from now to the end of this event-loop turn may leave in one write (ws.ts corks the socket). */
  batch?(): void;
  close(code: number, reason: string): void;
  /** Bytes handed to `send` and not yet taken by the network (ws: `bufferedAmount`). */
  buffered(): number;
  /** Stop reading inbound frames (backpressure while the app is slow). */
  pause?(): void;
  resume?(): void;
}

/** What the outbox asks of its link. */
export interface OutboxOwner {
  readonly store: SessionStore;
  /** Whether the link is open (welcomed, not closed). */
  isOpen(): boolean;
  /** Highest server seq the client acknowledged on this link. */
  clientAcked(): number;
  /** The peer read again: write what is owed (acks). */
  drained(): void;
  /** Stuck above maxLinkBuffer for idleTimeout: close 1013. */
  stuck(): void;
  /** The store failed (close 1011). */
  failed(err: unknown): void;
  /** The store no longer holds what this link sent (close 1012). */
  lost(why: string): void;
  /** Server seq `s` was just written to the link (for metrics: a first write, or a resend). */
  wrote(s: number): void;
}

const PAGE = 200;
const DRAIN_CHECK = 100;

/** Outboxes whose doorbell rang this turn: one `setImmediate` for all of them. */
let behind: Outbox[] = [];
function pumpBehind(): void {
  const list = behind;
  behind = [];
  for (const out of list) out.pumpIfBehind();
}

export class Outbox {
  /** Highest server seq written to this link. */
  sent = 0;
  /** Highest server seq known to exist (doorbells). */
  private known = 0;
  private pumping = false;
  /** `pumpIfBehind` is scheduled for the end of this turn. */
  private due = false;
  private sessionId = '';
  /** When writes were first refused (0: they are not). */
  private stalledSince = 0;
  private drainTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly owner: OutboxOwner,
    private readonly maxLinkBuffer: number,
    private readonly idleTimeout: number,
  ) {}

  /**
   * Writes `text` unless more than maxLinkBuffer bytes are queued already; false when it was not
   * written. Frames of one turn leave together, except one written `alone` (a pong: a ping flood
   * is answered frame by frame, as the peer reads).
   */
  write(text: string, alone = false): boolean {
    if (this.transport.buffered() > this.maxLinkBuffer) {
      this.stall();
      return false;
    }
    if (!alone) this.transport.batch?.();
    this.transport.send(text);
    return true;
  }

  /** After the welcome: the client has every server seq ≤ `rx`; `seq` is the last one that exists. */
  start(sessionId: string, rx: number, seq: number): void {
    this.sessionId = sessionId;
    this.sent = rx;
    if (seq > this.known) this.known = seq;
    this.pumpIfBehind();
  }

  /**
   * Doorbell: server seq `s` exists; send it (and anything before it) in order. What is still
   * missing at the end of this turn is replayed from the store: a doorbell often rings before
   * the `offer` of the same message, which then writes it without a read.
   */
  pull(s: number): void {
    if (s > this.known) this.known = s;
    if (this.due || this.sent >= this.known) return;
    this.due = true;
    if (behind.push(this) === 1) setImmediate(pumpBehind);
  }

  /** A message this node just appended: written at once when it is the next one. `tail`: its frame already encoded but for `s` (`msgTail`). */
  offer(m: StoredMessage, tail?: string): void {
    // A seq the client already acknowledged, given to a new message: the store went back.
    if (m.s <= this.owner.clientAcked()) return this.owner.lost(`the store gave seq ${m.s} again, which the client had acknowledged`);
    this.heard(m, tail);
  }

  /** A message appended elsewhere, its data at hand: written at once when it is the next one, else pulled from the store. */
  heard(m: StoredMessage, tail?: string): void {
    if (this.owner.isOpen() && !this.pumping && !this.stalledSince && m.s === this.sent + 1 && this.write(tail === undefined ? encodeMsg(m.s, m.id, m.d, m.b, m.r) : msgWithSeq(m.s, tail))) {
      this.sent = m.s;
      this.owner.wrote(m.s);
      if (m.s > this.known) this.known = m.s;
    } else this.pull(m.s);
  }

  /** Replays what the link lacks (at the end of the turn in which `pull` was called). */
  pumpIfBehind(): void {
    this.due = false;
    if (this.owner.isOpen() && !this.pumping && !this.stalledSince && this.sent < this.known) void this.pump();
  }

  stop(): void {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.owner.isOpen() && this.sent < this.known && !this.stalledSince) {
        const page = await this.owner.store.replay(this.sessionId, this.sent, PAGE);
        if (!this.owner.isOpen()) return;
        // The store holds every seq above what the client acknowledged: a hole means it lost them.
        if (page.length === 0 || page[0]!.s > this.sent + 1) return this.owner.lost(`the store no longer holds server seq ${this.sent + 1}`);
        for (const m of page) {
          if (m.s !== this.sent + 1) continue;
          if (!this.write(encodeMsg(m.s, m.id, m.d, m.b, m.r))) return;
          this.sent = m.s;
          this.owner.wrote(m.s);
        }
      }
    } catch (err) {
      this.owner.failed(err);
    } finally {
      this.pumping = false;
    }
  }

  private stall(): void {
    if (this.stalledSince) return;
    this.stalledSince = Date.now();
    this.drainTimer = setInterval(() => this.checkDrain(), DRAIN_CHECK);
    this.drainTimer.unref?.();
  }

  private checkDrain(): void {
    if (this.transport.buffered() <= this.maxLinkBuffer) {
      this.stop();
      this.stalledSince = 0;
      this.owner.drained();
      this.pumpIfBehind();
    } else if (Date.now() - this.stalledSince >= this.idleTimeout) {
      this.stop();
      this.owner.stuck();
    }
  }
}
