/**
 * One raw link to the server under test, on `ws`: it records every frame with its time and
 * tracks the server's `s` from the welcome on, so any check can wait for "a frame like this"
 * while the server sends other things in between (ticks, its own pushes).
 */
import type { ClientOptions, WebSocket } from 'ws';
import { encodeHello, encodeMsg } from '../protocol';
import type { WelcomeFrame } from '../protocol';
import { requireWs } from '../shared/require-ws';
import { Mismatch } from './verdicts';
import { isMsg, readServerFrame, show } from './frames';
import type { Inbound } from './frames';

export const loadWs = (): typeof import('ws') => requireWs('wx-socket-conformance') as typeof import('ws');

export interface ProbeClose {
  code: number;
  reason: string;
  /** ms since the link opened. */
  at: number;
  /** Date.now() time. */
  time: number;
}

export class Probe {
  readonly frames: Inbound[] = [];
  closed: ProbeClose | undefined;
  /** The `sid` and `rx` of the hello this link sent (and when, in Date.now() time), and the welcome it got. */
  helloSid: string | null | undefined;
  helloRx: number | undefined;
  helloAt: number | undefined;
  /** The kit ended this link itself (kill or end): its close code is the kit's, not the server's. */
  endedByKit = false;
  welcome: WelcomeFrame | undefined;
  /**
   * Index of the first frame received after this link sent its first JSON frame: from there on
   * it is a session link (before, a server that serves plain clients too may treat it as one).
   */
  sessionFrom: number | undefined;
  /** Where the server's stream broke rule 1, 3 or 4 on this link (repeats, gaps, msg before welcome). */
  readonly violations: string[] = [];
  private expected = 1;
  private readonly t0 = Date.now();
  private readonly waiters = new Set<() => boolean>();

  private constructor(private readonly ws: WebSocket, readonly label: string) {
    ws.on('message', (data, isBinary) => this.received(isBinary ? null : data.toString()));
    ws.on('close', (code, reason) => {
      this.closed ??= { code, reason: reason.toString(), at: this.now(), time: Date.now() };
      this.notify();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a link; rejects with what went wrong (refused, HTTP status, timeout). */
  static connect(url: string, headers: Record<string, string>, label: string, timeout: number, extra: ClientOptions = {}): Promise<Probe> {
    const { WebSocket: Ws } = loadWs();
    const ws = new Ws(url, { headers, perMessageDeflate: false, handshakeTimeout: timeout, ...extra });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Probe(ws, label)));
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new Error(`the upgrade was answered HTTP ${res.statusCode}`));
      });
      ws.once('error', (err) => reject(new Error(`could not connect: ${err.message}`)));
    });
  }

  /** ms since the link opened. */
  now(): number {
    return Date.now() - this.t0;
  }

  /** Highest server `s` received in order since the welcome. */
  get lastS(): number {
    return this.expected - 1;
  }

  send(frame: string | object): void {
    if (this.ws.readyState !== 1) return;
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    if (text.startsWith('{')) this.sessionFrom ??= this.frames.length;
    this.ws.send(text);
  }

  /** A client `msg` whose id is its data (tags are unique). */
  msg(s: number, d: string, b?: 1): void {
    this.send(encodeMsg(s, d, d, b));
  }

  /** Sends `hello` and waits for the `welcome` (other frames in between are fine). */
  async hello(sid: string | null, rx: number, timeout: number): Promise<WelcomeFrame> {
    this.helloSid = sid;
    this.helloRx = rx;
    this.helloAt = Date.now();
    const from = this.frames.length;
    this.send(encodeHello(sid, rx));
    const w = await this.waitFor((i) => i.frame?.t === 'welcome' || (!!i.invalid && i.text.includes('"welcome"')), 'a "welcome" answering the "hello"', timeout, from);
    if (!w.frame) throw new Mismatch('a valid "welcome"', `${show(w.text)} (${w.invalid})`);
    return w.frame as WelcomeFrame;
  }

  /** The first frame from index `from` on that matches; rejects with the frames seen when the link closes or `ms` pass. */
  waitFor(pred: (i: Inbound) => boolean, what: string, ms: number, from = 0): Promise<Inbound> {
    return new Promise((resolve, reject) => {
      let i = from;
      const test = (): boolean => {
        for (; i < this.frames.length; i++) {
          if (pred(this.frames[i]!)) return finish(() => resolve(this.frames[i]!));
        }
        return this.closed ? finish(() => reject(new Mismatch(what, this.seen(from)))) : false;
      };
      const timer = setTimeout(() => finish(() => reject(new Mismatch(`${what} within ${ms} ms`, this.seen(from)))), ms);
      const finish = (then: () => void): true => {
        clearTimeout(timer);
        this.waiters.delete(test);
        then();
        return true;
      };
      if (!test()) this.waiters.add(test);
    });
  }

  /** The close, or undefined if the link is still open after `ms`. */
  async waitClose(ms: number): Promise<ProbeClose | undefined> {
    await this.waitFor(() => false, 'close', ms).catch(() => undefined);
    return this.closed;
  }

  /** Abrupt loss, like a phone going out of range: no closing handshake. */
  kill(): void {
    if (!this.closed) this.endedByKit = true;
    this.ws.terminate();
  }

  /** A clean close (1000), waited for (bounded), so the server has let go of the session. */
  async end(): Promise<void> {
    if (this.closed) return;
    this.endedByKit = true;
    this.ws.close(1000);
    if (!(await this.waitClose(2000))) this.ws.terminate();
  }

  /** Frames from index `from` on, and the close, as evidence (the last `max` of them). */
  seen(from = 0, max = 12): string {
    const lines = this.frames.slice(from).map((i) => `[${this.label} +${i.at}ms] ${show(i.text)}`);
    const cut = lines.length > max ? [`(${lines.length - max} earlier frames)`, ...lines.slice(-max)] : lines;
    if (this.closed) cut.push(`[${this.label} +${this.closed.at}ms] closed ${this.closed.code}${this.closed.reason ? ` "${show(this.closed.reason, 60)}"` : ''}`);
    return cut.length ? cut.join('\n') : `[${this.label}] nothing${this.closed ? '' : ' (link still open)'}`;
  }

  private received(text: string | null): void {
    const inbound: Inbound = text === null ? { at: this.now(), text: '<binary frame>', invalid: 'binary frames are not part of the protocol' } : { at: this.now(), text, ...readServerFrame(text) };
    this.frames.push(inbound);
    if (inbound.frame?.t === 'welcome') {
      this.welcome = inbound.frame;
      this.expected = inbound.frame.resumed ? (this.helloRx ?? 0) + 1 : 1;
    } else if (isMsg(inbound)) this.sequence(inbound.frame.s, inbound.text);
    this.notify();
  }

  private sequence(s: number, text: string): void {
    if (!this.welcome) this.violations.push(`msg before welcome: ${show(text, 80)}`);
    else if (s < this.expected) this.violations.push(`s ${s} again (a resend on a live link): ${show(text, 80)}`);
    else if (s > this.expected) this.violations.push(`gap: s ${s} after ${this.expected - 1}: ${show(text, 80)}`);
    if (s >= this.expected) this.expected = s + 1;
  }

  private notify(): void {
    for (const test of [...this.waiters]) test();
  }
}
