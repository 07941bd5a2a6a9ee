/** The dev server's public types (single mode; cluster mode's are in cluster.ts). */
import type { FaultArgs } from './faults';
import type { ServerSession } from './sessions';

export interface DevServerOptions {
  /** Port clients connect to (through the fault proxy); 0 picks a free one. @default 8090 */
  port?: number;
  /** Where the WebSocket port and the control port listen. Keep it on loopback: the dev server has no authentication. @default '127.0.0.1' */
  host?: string;
  /** Port of the HTTP control routes; 0 picks a free one. @default port + 1 (0 when port is 0) */
  controlPort?: number;
  /** ms between ticks (to plain links and, numbered, to sessions); 0: none. @default 3000 */
  tickInterval?: number;
  /** ms a "restart" or "crash" keeps refusing connections. @default 1000 */
  restartDowntime?: number;
  /** ms a session without a link is kept. @default 120000 */
  sessionTtl?: number;
  /**
   * Obey the text "fault:<name> [args]" sent over a socket (the mini-program demo's buttons
   * use it). Off: such a text is ordinary data, echoed like any other. @default false
   */
  textFaults?: boolean;
  /**
   * Serve reliable sessions only, as a production session server does: every link goes to the
   * session server at once (no plain echo, no plain ticks), so a link that says no `hello`
   * within 10 s is closed 4400 and `wx-socket-conformance` can judge that too. @default false
   */
  sessionsOnly?: boolean;
  /** Where the one-line-per-event log goes; false: silent. @default console.log */
  log?: ((line: string) => void) | false;
}

export interface DevServer {
  /** ws:// URL through the fault proxy. */
  readonly url: string;
  /** http:// URL of the control port (POST /status, POST /fault/<name>?ms=&code=&reason=); `url`'s port answers them too. */
  readonly controlUrl: string;
  readonly port: number;
  /** Text frames received from clients, in arrival order (pings and obeyed fault commands excluded; the last 100 000). */
  readonly received: string[];
  /** Close codes and reasons clients sent, in order (the last 10 000). */
  readonly closes: Array<{ code: number; reason: string }>;
  /** Live client connections. */
  connections(): number;
  /** Links accepted and refused by the proxy, pings seen and pongs withheld, since start. */
  readonly stats: { accepted: number; refused: number; pings: number; pongsWithheld: number };
  /** Drop every connection abruptly and refuse new ones for `downtime` ms; with `user`, only that dev user's (`?user=`). */
  restart(downtime?: number, user?: string): void;
  /** Existing links (with `user`: that dev user's) stop forwarding bytes (nothing closes) for `ms` ms, then are cut. New links work. */
  blackhole(ms?: number, user?: string): void;
  /** Refuse new connections for `ms` ms. */
  refuse(ms: number): void;
  /** Stop answering "ping" for `ms` ms. */
  stopPong(ms: number): void;
  /** Close every connection with this code and reason (a proper closing handshake). */
  closeAll(code?: number, reason?: string): void;
  /** A server process restart with the memory store: like `restart`, and every session is forgotten. */
  crash(downtime?: number): void;
  /** The reliable sessions this server holds (clients that said `hello`). */
  sessions(): ServerSession[];
  /** Runs a fault by name, as the control routes and "fault:" texts do: its name, or what was wrong. */
  fault(name: string, args?: FaultArgs): string;
  close(): Promise<void>;
}
