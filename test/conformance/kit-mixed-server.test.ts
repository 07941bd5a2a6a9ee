/**
 * A server for plain and session links alike (like `npm run dev-server`: a link whose first
 * frame is not a session frame is a plain echo link) is judged on the session rules alone.
 */
import { ReferenceServer } from './reference-server';
import type { Link } from './reference-server';
import { LIMITS, runKit, statuses } from './kit-helpers';

class AlsoPlain extends ReferenceServer {
  protected override notJson(link: Link, text: string): void {
    if (link.helloed) super.notJson(link, text);
    else link.ws.send(text);
  }
}

test('helloTimeout is SKIP saying why; bad frames on a session link are still 4400; frames seen on plain links are not judged', async () => {
  const server = await new AlsoPlain({ maxBuffered: LIMITS.maxBuffered, ttl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, maxSessionsPerUser: LIMITS.maxSessions }).start();
  try {
    const report = await runKit(server.url, { only: ['limits.hello-timeout', 'frames'] });
    expect(statuses(report)).toEqual({ connect: 'PASS', 'rule1.welcome-first': 'PASS', 'frames.4400': 'PASS', 'limits.hello-timeout': 'SKIP', 'frames.valid': 'PASS' });
    expect(report.checks.find((c) => c.id === 'limits.hello-timeout')!.why).toBe('the server also serves plain links (it echoed a first frame that is not JSON): a link that never says "hello" is a plain link there, which helloTimeout does not cover');
  } finally {
    await server.close();
  }
});
