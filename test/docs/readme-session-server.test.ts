/** The README's server example, run as written (the test checks the README still shows this very code). */
import fs from 'fs';
import path from 'path';
import type { IncomingMessage } from 'http';
import { createSessionServer } from '../../src/server';
import { raw, stopAll } from '../support/session-helpers';
import { until } from '../support/real-helpers';
import { fromRoot } from '../support/paths';

afterEach(stopAll);

const saved = new Map<string, unknown>();
const verifyToken = (header: string | undefined): string | undefined => (header === 'Bearer t-alice' ? 'alice' : undefined);
async function saveOnce(id: string, data: unknown): Promise<void> {
  if (!saved.has(id)) saved.set(id, data);
}

async function example(port: number, log: string[]) {
  // readme:start
  const server = createSessionServer({
    port,
    // A user id string, or false: HTTP 401, no session touched.
    authenticate: (req: IncomingMessage) => verifyToken(req.headers.authorization) ?? false,
  });
  server.on('session', (session) => {
    session.on('message', async (data, { seq, id }) => {
      await saveOnce(id, data); // the next message waits; only then is this one acknowledged
      session.send(`got ${seq}`).catch((err) => log.push(`not delivered: ${err.code}`));
    });
  });
  server.on('presence', ({ user, online }) => log.push(`${user} ${online ? 'online' : 'offline'}`));
  await server.ready;
  // readme:end
  return server;
}

test('the README server example runs as written', async () => {
  const log: string[] = [];
  const server = await example(0, log);
  try {
    const c = await raw(server.port, { authorization: 'Bearer t-alice' });
    await c.hello(null);
    c.send({ t: 'msg', s: 1, id: 'order-1', d: 'buy' });
    await until(() => c.msgs().length === 1, 3000, 'reply');
    expect(c.msgs()).toEqual(['1:got 1']);
    expect([...saved]).toEqual([['order-1', 'buy']]);
    expect(log).toEqual(['alice online']);
  } finally {
    await server.close();
  }
});

test('the README shows the example that runs', () => {
  const source = fs.readFileSync(__filename, 'utf8');
  const code = source.slice(source.indexOf('// readme:start') + 16, source.indexOf('  // readme:end')).replace(/^ {2}/gm, '').trim();
  const readme = fs.readFileSync(fromRoot('docs/readme-session-server.md'), 'utf8');
  expect(readme).toContain(code);
});
