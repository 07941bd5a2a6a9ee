/**
 * What a dev node does with a session's messages (the test contract of PROTOCOL.md): each
 * message's data is echoed back as a new message (same `b`); `{"conformance":"push","n":N}`
 * is answered with N messages "1" … "N", handed to send at once (it sends no volatile frames, so
 * the optional volatile command is echoed like any data); with --text-faults a
 * "fault:<name> [args]" text runs that fault instead (answered "fault-ok:<name>").
 */
import { parseTestCommand } from '../protocol';
import { isFaultText } from './faults';
import type { LinkHooks } from './link-mode';
import type { ServerSession } from './sessions';

const ignore = (): void => undefined;

export function serveSession(session: ServerSession, hooks: Pick<LinkHooks, 'textFault' | 'record'>): void {
  session.on('message', (data) => {
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
      hooks.record(data);
    }
    session.send(data).catch(ignore);
  });
}
