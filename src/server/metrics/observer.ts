/**
 * What the session server core tells its metrics, through one narrow interface: the core calls
 * these at the few points where links open and end, hellos are answered, messages are written
 * or handed to the app, sends overflow and acks settle; store calls are timed by wrapping the
 * store once. Without metrics the core holds NO_OBSERVER: empty methods (inlined away), the
 * store unwrapped, no clock read per send.
 */
import type { WelcomeReason, classify } from '../../protocol';
import type { SessionStore } from '../store';

/** What a core reports when scraped (gauges), read only then. */
export interface HubGauges {
  /** Links attached, before and after hello. */
  links(): number;
  /** Sessions with a live link. */
  sessions(): number;
  /** Adds the users with a live session link. */
  users(into: Set<string>): void;
  /** Bytes written to links and not yet taken by the network. */
  bufferedBytes(): number;
  /** send() calls waiting for the client's ack. */
  unacked(): number;
}

export interface ServerObserver {
  /** Whether send() reads the clock for the ack latency (false: it does not). */
  readonly timed: boolean;
  linkOpened(): void;
  /** A link is gone, with the code it ended with (the server's own, else the peer's, else 1006). */
  linkEnded(code: number): void;
  /** A hello answered: resumed (reason undefined), or a new session and why. */
  welcomed(reason: WelcomeReason | undefined): void;
  /** A client message: handed to the app (`deliver`), arrived again (`duplicate`: already handled), or out of order (`gap`: the link closes 4400). */
  clientMessage(verdict: ReturnType<typeof classify>): void;
  /** A server message written to a link: the first time on this node, or again (`first` false: a later link catching up). */
  serverMessage(first: boolean): void;
  /** A send() rejected OVERFLOW. */
  overflow(): void;
  /** A send() settled by the client's ack, `seconds` after it was called. */
  acked(seconds: number): void;
  /** The store as the core should call it (each call timed when metrics are on). */
  store(store: SessionStore): SessionStore;
  /** Reads `gauges` on every scrape until the returned function is called. */
  watch(gauges: HubGauges): () => void;
}

const nothing = (): void => undefined;

/** Metrics off. */
export const NO_OBSERVER: ServerObserver = Object.freeze({
  timed: false,
  linkOpened: nothing,
  linkEnded: nothing,
  welcomed: nothing,
  clientMessage: nothing,
  serverMessage: nothing,
  overflow: nothing,
  acked: nothing,
  store: (store: SessionStore) => store,
  watch: () => nothing,
});
