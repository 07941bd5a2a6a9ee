/**
 * Deliberately broken servers: the reference server with ONE rule decision done wrong, the
 * way real implementations got it wrong (PROTOCOL.md "Pitfalls"). Each names the check that
 * must FAIL against it.
 */
import { ReferenceServer } from './reference-server';
import type { Link, Out, ReferenceOptions, Session } from './reference-server';

export interface Broken {
  /** What is wrong, in a user's words. */
  story: string;
  /** The kit check that must FAIL, and the rule its FAIL line names. */
  check: string;
  rule: string;
  /** Checks that also FAIL (the one that provokes what a whole-run check judges). */
  also?: string[];
  make(options: ReferenceOptions): ReferenceServer;
}

/** Resends every unacknowledged message on the live link after 300 ms (MQTT.js-style retry timer). */
class ResendsOnLiveLink extends ReferenceServer {
  protected override write(link: Link, m: Out): void {
    super.write(link, m);
    setTimeout(() => {
      if (link.ws.readyState === 1 && link.session?.out.includes(m)) super.write(link, m);
    }, 300).unref();
  }
}

/** Drops a duplicate without acknowledging it again: the client waits for an ack that never comes. */
class NoReAck extends ReferenceServer {
  protected override duplicate(): void {}
}

/** Delivers a message after a gap instead of closing 4400. */
class AcceptsGaps extends ReferenceServer {
  protected override gap(link: Link, s: number, d: string, b?: 1): void {
    link.session!.last = s;
    this.message(link.session!, d, b);
  }
}

/** Treats a rolled-back client (rx above its seq) as a protocol error. */
class FailsRollback extends ReferenceServer {
  protected override rolledBack(link: Link): void {
    link.ws.send(JSON.stringify({ t: 'error', code: 4400, message: 'rx above seq' }));
    link.ws.close(4400, 'protocol error');
  }
}

/** Beyond maxBuffered, drops messages silently (Phoenix-style). */
class SilentOverflow extends ReferenceServer {
  protected override overflow(): void {}
}

/** Session ids from a counter. */
class WeakSids extends ReferenceServer {
  private counter = 0;
  protected override newSid(): string {
    return `s${++this.counter}`;
  }
}

/** Lets any user resume any session. */
class NoUserBinding extends ReferenceServer {
  protected override owns(): boolean {
    return true;
  }
}

/** A takeover leaves the old link open. */
class KeepsOldLink extends ReferenceServer {
  protected override takeover(): void {}
}

/** Closes with a code of its own (4000) on a gap. */
class OwnCloseCode extends ReferenceServer {
  protected override gap(link: Link): void {
    link.ws.close(4000, 'bad sequence');
  }
}

/** Takes a duplicate for a zombie link and closes it 4409, though no newer link exists. */
class DuplicateIsTakeover extends ReferenceServer {
  protected override duplicate(link: Link): void {
    link.ws.close(4409, 'session taken over');
  }
}

/** Keeps volatile frames and replays them on a resume. */
class ReplaysVolatile extends ReferenceServer {
  private readonly kept = new Map<Session, string[]>();
  protected override volatile(session: Session, d: string): void {
    super.volatile(session, d);
    this.kept.set(session, [...(this.kept.get(session) ?? []), d]);
  }
  protected override resumed(link: Link): void {
    for (const d of this.kept.get(link.session!) ?? []) link.ws.send(JSON.stringify({ t: 'volatile', d }));
  }
}

export const BROKEN: Broken[] = [
  { story: 'resends unacknowledged messages on a live link', check: 'rule3.live', rule: 'Rule 3 Resume', make: (o) => new ResendsOnLiveLink(o) },
  { story: 'does not acknowledge a duplicate again', check: 'rule4.duplicate', rule: 'Rule 4 Delivery', make: (o) => new NoReAck(o) },
  { story: 'delivers a message after a gap', check: 'rule4.gap', rule: 'Rule 4 Delivery', make: (o) => new AcceptsGaps(o) },
  { story: 'acks 3 s late', check: 'rule5.acks', rule: 'Rule 5 Acks', make: (o) => new ReferenceServer({ ...o, ackDelay: 3000 }) },
  { story: 'keeps links that never say hello for an hour', check: 'limits.hello-timeout', rule: 'Clarification Limits', make: (o) => new ReferenceServer({ ...o, helloTimeout: 3600000 }) },
  { story: 'closes 4400 on a rolled-back rx', check: 'clar.rollback', rule: 'Clarification Rollback', make: (o) => new FailsRollback(o) },
  { story: 'drops messages beyond maxBuffered silently', check: 'rule8.overflow', rule: 'Rule 8 Bounds', make: (o) => new SilentOverflow(o) },
  { story: 'issues session ids from a counter', check: 'rule2.sid', rule: 'Rule 2 Session ids', make: (o) => new WeakSids(o) },
  { story: 'lets another user resume a session', check: 'rule2.forbidden', rule: 'Rule 2 Session ids', make: (o) => new NoUserBinding(o) },
  { story: 'leaves the old link open on a takeover', check: 'rule6.takeover', rule: 'Rule 6 Takeover', make: (o) => new KeepsOldLink(o) },
  { story: 'replays volatile frames on a resume', check: 'clar.volatile', rule: 'Frames volatile', make: (o) => new ReplaysVolatile(o) },
  { story: 'closes a bad link with a code of its own', check: 'close.codes', rule: 'Close codes', also: ['rule4.gap'], make: (o) => new OwnCloseCode(o) },
  { story: 'closes 4409 with no newer link', check: 'close.4409', rule: 'Clarification Store trouble is never a takeover', also: ['rule4.duplicate'], make: (o) => new DuplicateIsTakeover(o) },
];
