/**
 * A real backend pushes its own messages all the time (the dev server's ticks, live data): the
 * kit finds its own frames among them by their tags and judges order by `s`, so a conforming
 * server that talks a lot still passes every check.
 */
import { ReferenceServer } from './reference-server';
import { LIMITS, runKit, statuses } from './kit-helpers';

jest.setTimeout(90000);

/** Every 100 ms each linked session gets a sequenced tick and a volatile one. */
class Chatty extends ReferenceServer {
  private n = 0;
  private readonly ticker = setInterval(() => {
    const tick = JSON.stringify({ type: 'tick', n: ++this.n });
    for (const session of this.sessions.values()) {
      if (!session.link) continue;
      this.send(session, tick);
      this.volatile(session, tick);
    }
  }, 100);

  override close(): Promise<void> {
    clearInterval(this.ticker);
    return super.close();
  }
}

test('a server that pushes a tick and a volatile frame into every session every 100 ms passes every check', async () => {
  const server = await new Chatty({ maxBuffered: LIMITS.maxBuffered, ttl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, maxSessionsPerUser: LIMITS.maxSessions }).start();
  try {
    const report = await runKit(server.url);
    const failed = report.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.why ?? `${c.evidence?.expected}\n${c.evidence?.seen}`}`);
    expect(failed).toEqual([]);
    expect(Object.values(statuses(report)).length).toBe(32);
    // The kit saw the ticks: they were there to be ignored.
    expect(report.checks.find((c) => c.id === 'rules.stream')!.note).toMatch(/^\d{3,} msgs on \d+ links$/);
  } finally {
    await server.close();
  }
});
