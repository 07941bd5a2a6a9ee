/**
 * The smallest session client the kit could write from PROTOCOL.md alone (it does not use
 * src/session: the kit judges servers, not our client): the client half of rules 1–7, a
 * heartbeat that finds a dead link, and a reconnect loop. The chaos run drives it through
 * the fault proxy.
 */
import type { ClientOptions, WebSocket } from 'ws';
import { ACK_EVERY, HEARTBEAT_PING, HEARTBEAT_PONG, classify, encodeAck, encodeHello, encodeMsg } from '../protocol';
import type { WelcomeFrame } from '../protocol';
import { readServerFrame } from './frames';
import { loadWs } from './probe';

export interface ChaosClientOptions {
  url: string;
  headers: Record<string, string>;
  /** How each link's TCP connection is made (through the fault proxy). */
  dial: ClientOptions['createConnection'];
  /** @default 20 */
  ackDelay?: number;
  /** Ping after this long without an inbound frame. @default 200 */
  pingAfter?: number;
  /** A link silent for this long is dead: dropped and replaced. @default 1000 */
  deadAfter?: number;
  /** Wait before the next attempt after a loss or a refused connect. @default 100 */
  retry?: number;
  /** Unacknowledged messages in flight at most. @default 100 */
  window?: number;
}

interface Outgoing {
  s: number;
  id: string;
  d: string;
  /** Sent on some link already (so sending it again is a resend). */
  sent: boolean;
}

export class ChaosClient {
  /** The server messages handed to the "app", in order. */
  readonly delivered: string[] = [];
  readonly stats = { connects: 0, links: 0, deadLinks: 0, resent: 0, duplicates: 0, resyncs: 0 };
  /** What broke the protocol (gaps, error frames): the run FAILs on any. */
  readonly violations: string[] = [];
  /** The reasons of the lost sessions (resumed:false on a resume). */
  readonly resyncs: string[] = [];
  private sid: string | null = null;
  private rx = 0;
  private nextS = 1;
  private unacked: Outgoing[] = [];
  private readonly pending: string[] = [];
  private ws: WebSocket | undefined;
  private welcomed = false;
  private lastInbound = 0;
  private lastPing = 0;
  private acked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;
  private stopped = false;
  private readonly o: Required<ChaosClientOptions>;

  constructor(options: ChaosClientOptions) {
    this.o = { ackDelay: 20, pingAfter: 200, deadAfter: 1000, retry: 100, window: 100, ...options } as Required<ChaosClientOptions>;
    this.ticker = setInterval(() => this.heartbeat(), 50);
    this.connect();
  }

  /** A link has said welcome and is carrying the session. */
  get open(): boolean {
    return this.welcomed;
  }

  /** Messages not yet acknowledged by the server (sent or waiting). */
  get outstanding(): number {
    return this.unacked.length + this.pending.length;
  }

  send(d: string): void {
    this.pending.push(d);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.ackTimer);
    clearTimeout(this.retryTimer);
    this.ws?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const { WebSocket: Ws } = loadWs();
    this.stats.connects++;
    const ws = new Ws(this.o.url, { headers: this.o.headers, createConnection: this.o.dial, perMessageDeflate: false, handshakeTimeout: this.o.deadAfter * 2 });
    this.ws = ws;
    this.lastInbound = Date.now();
    ws.on('open', () => {
      this.stats.links++;
      this.lastInbound = Date.now();
      ws.send(encodeHello(this.sid, this.rx));
    });
    ws.on('message', (data) => ws === this.ws && this.text(data.toString()));
    ws.on('close', () => this.lost(ws));
    ws.on('error', () => this.lost(ws));
  }

  private lost(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.welcomed = false;
    ws.terminate();
    if (!this.stopped) this.retryTimer = setTimeout(() => this.connect(), this.o.retry);
  }

  private heartbeat(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return;
    const now = Date.now();
    if (now - this.lastInbound > this.o.deadAfter) {
      this.stats.deadLinks++;
      this.lost(ws);
    } else if (now - this.lastInbound > this.o.pingAfter && now - this.lastPing > this.o.pingAfter) {
      this.lastPing = now;
      ws.send(HEARTBEAT_PING);
    }
  }

  private text(text: string): void {
    this.lastInbound = Date.now();
    if (text === HEARTBEAT_PONG) return;
    const { frame, invalid } = readServerFrame(text);
    if (!frame) return this.broken(`invalid frame: ${invalid}`);
    switch (frame.t) {
      case 'welcome':
        return this.welcome(frame);
      case 'msg': {
        if (!this.welcomed) return this.broken(`msg before welcome: s ${frame.s}`);
        const verdict = classify(frame.s, this.rx);
        if (verdict === 'gap') return this.broken(`gap: s ${frame.s} after ${this.rx}`);
        if (verdict === 'duplicate') this.stats.duplicates++;
        else {
          this.rx = frame.s;
          this.delivered.push(frame.d);
        }
        return this.scheduleAck();
      }
      case 'ack':
        this.unacked = this.unacked.filter((m) => m.s > frame.a);
        return this.pump();
      case 'error':
        return this.broken(`error frame ${frame.code}: ${frame.message}`);
      default:
        return undefined; // volatile: not part of the count
    }
  }

  private welcome(w: WelcomeFrame): void {
    if (!w.resumed && this.sid !== null) {
      // Rule 7: the server lost the session. Restart at 1; resend everything unacknowledged with its original id.
      this.stats.resyncs++;
      this.resyncs.push(`${w.reason} (hello rx ${this.rx}, ${this.unacked.length} unacknowledged)`);
      this.rx = 0;
      this.unacked.forEach((m, i) => (m.s = i + 1));
      this.nextS = this.unacked.length + 1;
    } else if (w.resumed) this.unacked = this.unacked.filter((m) => m.s > w.rx);
    this.sid = w.sid;
    this.acked = this.rx;
    this.welcomed = true;
    for (const m of this.unacked) this.write(m);
    this.pump();
  }

  private pump(): void {
    while (this.welcomed && this.pending.length > 0 && this.unacked.length < this.o.window) {
      const d = this.pending.shift()!;
      const m: Outgoing = { s: this.nextS++, id: d, d, sent: false };
      this.unacked.push(m);
      this.write(m);
    }
  }

  private write(m: Outgoing): void {
    if (m.sent) this.stats.resent++;
    m.sent = true;
    this.ws?.send(encodeMsg(m.s, m.id, m.d));
  }

  private scheduleAck(): void {
    if (this.rx - this.acked >= ACK_EVERY) return this.flushAck();
    this.ackTimer ??= setTimeout(() => this.flushAck(), this.o.ackDelay);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.welcomed || this.rx === this.acked) return;
    this.acked = this.rx;
    this.ws?.send(encodeAck(this.rx));
  }

  private broken(why: string): void {
    this.violations.push(why);
    if (this.ws) this.lost(this.ws);
  }
}
