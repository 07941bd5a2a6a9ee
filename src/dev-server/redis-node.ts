/**
 * One dev node of the dev cluster (`--redis URL --nodes N`), run as a child process so it can
 * really die: the H5 page, plain echo and reliable sessions, kept in the shared Redis. Env:
 * REDIS_URL, NODE_NAME, PORT, SESSION_TTL, WXSM_H5_ROOT, WXSM_TEXT_FAULTS ("1": `fault:` texts go to the
 * parent over IPC), WXSM_SESSIONS_ONLY ("1": no plain links). Tells the parent its port over IPC, and its series when asked.
 */
import type { NodeMessage, ParentMessage } from './cluster-members';
import type { MetricJson } from './dashboard-data';
import { devRegistry } from './dev-metrics';
import { makeLog } from './log';
import { startDevNode } from './node';
import { serveSession } from './session-mode';
import { startSessions } from './sessions';

const replies = new Map<number, (reply: string) => void>();
let nextId = 1;
const { registry } = devRegistry();
process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'metrics') {
    void (registry ? registry.getMetricsAsJSON() : Promise.resolve(undefined)).then((metrics) => process.send?.({ type: 'metrics', id: msg.id, metrics: metrics as MetricJson[] | undefined } satisfies NodeMessage));
    return;
  }
  replies.get(msg.id)?.(msg.reply);
  replies.delete(msg.id);
});

/** Asks the parent to run a `fault:` text; resolves with its reply. */
function askParent(text: string): Promise<string> {
  const id = nextId++;
  return new Promise((resolve) => {
    replies.set(id, resolve);
    process.send?.({ type: 'fault', id, text } satisfies NodeMessage);
  });
}

async function main(): Promise<void> {
  const textFault = process.env.WXSM_TEXT_FAULTS === '1' ? askParent : undefined;
  const record = (): void => undefined;
  const sessions = await startSessions({
    redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    node: process.env.NODE_NAME ?? 'node',
    sessionTtl: Number(process.env.SESSION_TTL) || 120000,
    answerPing: () => true,
    metrics: registry,
    onSession: (session) => serveSession(session, { textFault, record, publish: (room, data, options) => sessions.publish(room, data, options) }),
  });
  const node = await startDevNode({ log: makeLog(false), sessions: () => sessions, answerPing: () => true, textFault, record, port: Number(process.env.PORT ?? 0), h5Root: process.env.WXSM_H5_ROOT || undefined, sessionsOnly: process.env.WXSM_SESSIONS_ONLY === '1' });
  process.send?.({ type: 'ready', port: node.port } satisfies NodeMessage);
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 2000).unref();
    void node.close().then(() => sessions.close()).finally(() => process.exit(0));
  });
}

main().catch((err: Error) => {
  process.stderr.write(`[dev-server] node ${process.env.NODE_NAME} failed to start: ${err.message}\n`);
  process.exit(1);
});
