/**
 * A second implementation of the session protocol, written from PROTOCOL.md alone: it shares no
 * code with src/ (plain `ws`, Node's http and crypto), so the kit passing it shows the page is
 * enough to build a conforming server. Users are the `x-user` header or the `?user=` query (none: HTTP 401).
 *
 * The protected methods are the rules' decisions; broken-servers.ts overrides one each.
 */
import http from 'http';
import https from 'https';
import type { AddressInfo } from 'net';
import { randomBytes } from 'crypto';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export interface ReferenceOptions {
  maxBuffered?: number;
  ttl?: number;
  ackDelay?: number;
  helloTimeout?: number;
  maxSessionsPerUser?: number;
  /** Serve wss:// with this key and certificate (for `localhost`). */
  tls?: { key: string; cert: string };
}

export interface Out { s: number; id: string; d: string; b?: 1 }

export interface Session {
  id: string;
  user: string;
  /** Server messages not yet acknowledged, ascending. */
  out: Out[];
  /** Highest server seq assigned. */
  seq: number;
  /** Highest server seq the client acknowledged. */
  acked: number;
  /** Highest client seq delivered to the app. */
  last: number;
  link?: Link;
  overflow: boolean;
  /** When its last link closed (undefined while linked). */
  goneAt?: number;
  seen: number;
}

export interface Link {
  ws: WebSocket;
  user: string;
  session?: Session;
  helloed: boolean;
  ackTimer?: ReturnType<typeof setTimeout>;
  helloTimer?: ReturnType<typeof setTimeout>;
}

type Reason = 'new' | 'unknown' | 'expired' | 'overflow' | 'forbidden';
const isSeq = (n: unknown, min = 0): n is number => Number.isInteger(n) && (n as number) >= min;

export class ReferenceServer {
  readonly sessions = new Map<string, Session>();
  /** Expired session ids and when they expired: they answer "expired" for another ttl. */
  private readonly tombstones = new Map<string, number>();
  private readonly http: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private nextId = 0;
  readonly o: Required<Omit<ReferenceOptions, 'tls'>>;

  constructor(private readonly options: ReferenceOptions = {}) {
    this.o = { maxBuffered: 1000, ttl: 120000, ackDelay: 50, helloTimeout: 10000, maxSessionsPerUser: 20, ...options };
    const refuse = (_req: http.IncomingMessage, res: http.ServerResponse): void => void res.writeHead(426).end();
    this.http = options.tls ? https.createServer(options.tls, refuse) : http.createServer(refuse);
    this.http.on('upgrade', (req, socket, head) => {
      const user = req.headers['x-user'] ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('user');
      if (typeof user !== 'string' || !user) return socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, user));
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return this.options.tls ? `wss://localhost:${this.port}` : `ws://127.0.0.1:${this.port}`;
  }

  start(): Promise<this> {
    return new Promise((resolve) => this.http.listen(0, '127.0.0.1', () => resolve(this)));
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const s of this.sessions.values()) if (s.link) this.closed(s.link);
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  // ---- the rules' decisions (broken-servers.ts overrides these) ----

  protected newSid(): string {
    return randomBytes(16).toString('base64url');
  }

  protected owns(session: Session, user: string): boolean {
    return session.user === user;
  }

  /** Rule 4: dropped, acknowledged again. */
  protected duplicate(link: Link): void {
    this.ackSoon(link, 0);
  }

  /** Rule 4: a gap is a protocol error. */
  protected gap(link: Link, s: number, _d: string, _b?: 1): void {
    this.fail(link, `gap: expected s ${link.session!.last + 1}, got ${s}`);
  }

  /** Clarification: rx above what was ever sent means the store lost state: a new session. */
  protected rolledBack(link: Link): void {
    this.welcomeNew(link, 'unknown');
  }

  /** Rule 6: the newest link wins. */
  protected takeover(old: Link): void {
    old.ws.close(4409, 'session taken over');
  }

  /** Rule 8: never a silent drop — the next resume says "overflow". */
  protected overflow(session: Session): void {
    session.overflow = true;
  }

  protected write(link: Link, m: Out): void {
    link.ws.send(JSON.stringify({ t: 'msg', ...m }));
  }

  /** Delivered if the link is up now; never buffered. */
  protected volatile(session: Session, d: string): void {
    session.link?.ws.send(JSON.stringify({ t: 'volatile', d }));
  }

  /** A frame that is not JSON (nor ping) is a protocol error. */
  protected notJson(link: Link, _text: string): void {
    this.fail(link, 'bad JSON');
  }

  /** Called after a resume has sent everything above the client's rx. */
  protected resumed(_link: Link): void {}

  // ---- the application: the test contract ----

  protected message(session: Session, d: string, b?: 1): void {
    const c = d.includes('"conformance"') ? parseCommand(d) : undefined;
    if (c?.conformance === 'push') for (let i = 1; i <= c.n; i++) this.send(session, String(i));
    else if (c?.conformance === 'volatile') for (let i = 1; i <= c.n; i++) this.volatile(session, String(i));
    else this.send(session, d, b);
  }

  send(session: Session, d: string, b?: 1): void {
    if (session.out.length >= this.o.maxBuffered) return this.overflow(session);
    const m: Out = b ? { s: ++session.seq, id: `r${++this.nextId}`, d, b } : { s: ++session.seq, id: `r${++this.nextId}`, d };
    session.out.push(m);
    if (session.link) this.write(session.link, m);
  }

  // ---- links ----

  private open(ws: WebSocket, user: string): void {
    const link: Link = { ws, user, helloed: false };
    link.helloTimer = setTimeout(() => this.fail(link, 'no hello within helloTimeout'), this.o.helloTimeout);
    ws.on('message', (data, binary) => (binary ? this.fail(link, 'binary frame') : this.text(link, data.toString())));
    ws.on('close', () => this.closed(link));
    ws.on('error', () => undefined);
  }

  private closed(link: Link): void {
    clearTimeout(link.helloTimer);
    clearTimeout(link.ackTimer);
    const s = link.session;
    if (s && s.link === link) {
      s.link = undefined;
      s.goneAt = s.seen = Date.now();
    }
  }

  private text(link: Link, text: string): void {
    if (link.ws.readyState !== 1) return;
    if (text === 'ping') return link.ws.send('pong');
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(text);
    } catch {
      return this.notJson(link, text);
    }
    if (!f || typeof f !== 'object') return this.fail(link, 'not an object');
    const session = link.session;
    if (f.t === 'hello') {
      if (link.helloed || f.v !== 1 || !(f.sid === null || typeof f.sid === 'string') || !isSeq(f.rx)) return this.fail(link, 'bad hello');
      link.helloed = true;
      clearTimeout(link.helloTimer);
      return this.hello(link, f.sid as string | null, f.rx);
    }
    if (!session) return this.fail(link, `${String(f.t)} before welcome`);
    if (f.t === 'msg') {
      if (!isSeq(f.s, 1) || typeof f.id !== 'string' || typeof f.d !== 'string' || (f.b !== undefined && f.b !== 1)) return this.fail(link, 'bad msg');
      if (f.s <= session.last) return this.duplicate(link);
      if (f.s > session.last + 1) return this.gap(link, f.s, f.d, f.b as 1 | undefined);
      session.last = f.s;
      this.message(session, f.d, f.b as 1 | undefined);
      return this.ackSoon(link, this.o.ackDelay);
    }
    if (f.t === 'ack') {
      if (!isSeq(f.a) || f.a > session.seq) return this.fail(link, 'bad ack');
      session.acked = Math.max(session.acked, f.a);
      session.out = session.out.filter((m) => m.s > session.acked);
      return;
    }
    this.fail(link, `unknown t ${JSON.stringify(f.t)}`);
  }

  private hello(link: Link, sid: string | null, rx: number): void {
    if (sid === null) return this.welcomeNew(link, 'new');
    const found = this.lookup(sid, link.user);
    if (typeof found === 'string') return this.welcomeNew(link, found);
    const session = found;
    if (rx > session.seq) return this.rolledBack(link);
    if (rx < session.acked) return this.welcomeNew(link, 'unknown');
    if (session.overflow) {
      this.sessions.delete(session.id);
      return this.welcomeNew(link, 'overflow');
    }
    if (session.link) this.takeover(session.link);
    session.acked = rx;
    session.out = session.out.filter((m) => m.s > rx);
    this.attach(link, session);
    link.ws.send(JSON.stringify({ t: 'welcome', v: 1, sid: session.id, resumed: true, rx: session.last, ttl: this.o.ttl }));
    for (const m of session.out) this.write(link, m);
    this.resumed(link);
  }

  /** The session `sid` names for `user`, or why it cannot be resumed. */
  private lookup(sid: string, user: string): Session | Reason {
    const session = this.sessions.get(sid);
    if (session && !this.owns(session, user)) return 'forbidden';
    if (session && session.goneAt !== undefined && Date.now() - session.goneAt > this.o.ttl) this.expire(session);
    const expiredAt = this.tombstones.get(sid);
    if (expiredAt !== undefined) return Date.now() - expiredAt <= this.o.ttl ? 'expired' : 'unknown';
    return this.sessions.get(sid) ?? 'unknown';
  }

  private expire(session: Session): void {
    this.sessions.delete(session.id);
    this.tombstones.set(session.id, Date.now());
  }

  private welcomeNew(link: Link, reason: Reason): void {
    const mine = [...this.sessions.values()].filter((s) => s.user === link.user);
    if (mine.length >= this.o.maxSessionsPerUser) {
      const idle = mine.filter((s) => !s.link).sort((a, b) => a.seen - b.seen)[0];
      if (!idle) return void link.ws.close(4429, 'too many sessions');
      this.expire(idle);
    }
    const session: Session = { id: this.newSid(), user: link.user, out: [], seq: 0, acked: 0, last: 0, overflow: false, seen: Date.now() };
    this.sessions.set(session.id, session);
    this.attach(link, session);
    link.ws.send(JSON.stringify({ t: 'welcome', v: 1, sid: session.id, resumed: false, rx: 0, ttl: this.o.ttl, reason }));
  }

  private attach(link: Link, session: Session): void {
    link.session = session;
    session.link = link;
    session.goneAt = undefined;
    session.seen = Date.now();
  }

  /** Rule 5: a cumulative ack within ackDelay. */
  protected ackSoon(link: Link, delay: number): void {
    if (link.ackTimer) return;
    link.ackTimer = setTimeout(() => {
      link.ackTimer = undefined;
      if (link.session?.link === link) link.ws.send(JSON.stringify({ t: 'ack', a: link.session.last }));
    }, delay);
  }

  private fail(link: Link, message: string): void {
    link.ws.send(JSON.stringify({ t: 'error', code: 4400, message }));
    link.ws.close(4400, 'protocol error');
  }
}

function parseCommand(d: string): { conformance: string; n: number } | undefined {
  try {
    const c = JSON.parse(d);
    return (c?.conformance === 'push' || c?.conformance === 'volatile') && Number.isInteger(c.n) && c.n >= 0 && c.n <= 10000 ? c : undefined;
  } catch {
    return undefined;
  }
}
