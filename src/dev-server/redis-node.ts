/**
 * One session-server node of the dev cluster (`--redis URL --nodes N`), run as a child
 * process so it can really die. Env: REDIS_URL, NODE_NAME, PORT. Echoes every session
 * message back as a session message; tells the parent its port over IPC.
 */
import { createSessionServer, redisStore } from '../server';

const server = createSessionServer({
  port: Number(process.env.PORT ?? 0),
  store: redisStore({ client: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
  node: process.env.NODE_NAME,
});
server.on('session', (session) => {
  session.on('message', (data) => void session.send(data).catch(() => undefined));
});
server.on('error', () => undefined);
server.ready.then(
  () => process.send?.({ port: server.port }),
  (err: Error) => {
    process.stderr.write(`[dev-server] node ${process.env.NODE_NAME} failed to start: ${err.message}\n`);
    process.exit(1);
  },
);
