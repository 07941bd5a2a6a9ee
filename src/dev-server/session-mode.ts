/**
 * What a dev node does with a session's messages (the test contract of PROTOCOL.md): each
 * message's data is echoed back as a new message (same `b`); `{"conformance":"push","n":N}`
 * is answered with N messages "1" … "N", handed to send at once, and the optional `{"conformance":"volatile","n":N}` with N volatile
 * frames "1" … "N" (published, one after another, to a room only that session is in); with --text-faults a
 * "fault:<name> [args]" text runs that fault instead (answered "fault-ok:<name>").
 *
 * A room to chat in: every session joins `lobby`, and `{"room":"lobby","say":…}` is published
 * there as `{"room":"lobby","from":<user>,"say":…}` (reaching members on every node), with the
 * client message's id, so a message sent again after a node died is not published twice.
 */
import { parseTestCommand } from '../protocol';
import { isFaultText } from './faults';
import type { LinkHooks } from './link-mode';
import type { DevSessions, PublishOptions, ServerSession } from './sessions';

export const LOBBY = 'lobby';

const ignore = (): void => undefined;

/** What a client says in the lobby, when `data` is `{"room":"lobby","say":<text>}`. */
export function lobbySay(data: string): string | undefined {
  if (!data.startsWith('{') || data.indexOf('"say"') < 0) return undefined;
  try {
    const m = JSON.parse(data) as { room?: unknown; say?: unknown } | null;
    return m !== null && m.room === LOBBY && typeof m.say === 'string' ? m.say : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The test contract's optional volatile command: frames "1" … "n" to this session alone, in
 * order, through a room of its own that it leaves again (also our own server's, in the kit tests).
 */
export async function volatileBurst(session: ServerSession, n: number, publish: (room: string, data: string, options: PublishOptions) => Promise<unknown>): Promise<void> {
  const room = `conformance:${session.id}`;
  await session.join(room);
  try {
    for (let i = 1; i <= n; i++) await publish(room, String(i), { volatile: true });
  } finally {
    await session.leave(room);
  }
}

export function serveSession(session: ServerSession, hooks: Pick<LinkHooks, 'textFault' | 'record'> & Pick<DevSessions, 'publish'>): void {
  // Every node that serves it joins it again: nothing changes when it is in already.
  session.join(LOBBY).catch(ignore);
  session.on('message', (data, meta) => {
    if (typeof data === 'string') {
      if (hooks.textFault && isFaultText(data)) {
        const reply = hooks.textFault(data);
        if (typeof reply === 'string') session.send(reply).catch(ignore);
        else void reply.then((r) => session.send(r)).catch(ignore);
        return;
      }
      const command = parseTestCommand(data);
      if (command?.conformance === 'push') {
        for (let i = 1; i <= command.n; i++) session.send(String(i)).catch(ignore);
        return;
      }
      if (command?.conformance === 'volatile') return void volatileBurst(session, command.n, hooks.publish).catch(ignore);
      hooks.record(data);
      const say = lobbySay(data);
      // Recorded (and acknowledged) once it is in every member's stream.
      if (say !== undefined) return hooks.publish(LOBBY, JSON.stringify({ room: LOBBY, from: session.user, say }), { id: `${session.id}/${meta.id}` });
    }
    session.send(data).catch(ignore);
  });
}
