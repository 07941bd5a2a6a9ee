/** `npm run dev-server -- --redis URL --nodes 3`: session nodes on one Redis behind the fault proxy, killed for real. */
import { WxSocketManager } from '../../src';
import { startDevCluster } from '../../src/dev-server/cluster';
import type { DevCluster } from '../../src/dev-server/cluster';
import { createWsConnectSocket } from '../../src/node';
import { SocketSession } from '../../src/session';
import { sleep, until } from '../support/real-helpers';
import { bundleForChild, useRedis } from '../support/redis-helpers';
import { fromRoot } from '../support/paths';
import { httpOf, request } from '../support/http-helpers';
import { raw, stopAll } from '../support/session-helpers';

const redis = useRedis();
const nodeEntry = bundleForChild(fromRoot('src/dev-server/redis-node.ts'));
let cluster: DevCluster | undefined;
let socket: WxSocketManager | undefined;
afterEach(async () => {
  socket?.destroy();
  await stopAll();
  await cluster?.close();
});

const post = async (url: string): Promise<{ status: number; body: unknown }> => {
  const answer = await request(url);
  return { status: answer.status, body: answer.json };
};

test('every node killed in turn while a session echoes: each message comes back once, in order, with no resync', async () => {
  cluster = await startDevCluster({ redis: redis.server().url, nodes: 3, port: 0, log: false, nodeEntry });
  socket = new WxSocketManager({
    url: cluster.url,
    connectSocket: createWsConnectSocket({ closeTimeout: 200 }),
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 200, timeout: 300 },
    reconnect: { interval: 50, maxAttempts: 1000 },
  });
  const session = new SocketSession(socket);
  const echoed: string[] = [];
  const resyncs: unknown[] = [];
  session.on('message', (d) => void echoed.push(String(d)));
  session.on('resync', (e) => void resyncs.push(e));
  socket.connect();
  const sent: Array<Promise<void>> = [];
  for (let i = 1; i <= 60; i++) {
    sent.push(session.send(`m${i}`));
    if (i % 20 === 0) await cluster.kill(i / 20 - 1, 200);
    await sleep(20);
  }
  await Promise.all(sent);
  await until(() => echoed.length >= 60, 10000, 'all echoes');
  await sleep(200);
  expect(echoed).toEqual(Array.from({ length: 60 }, (_, i) => `m${i + 1}`));
  expect(resyncs).toEqual([]);
  expect(cluster.nodes().map((n) => n.alive)).toEqual([true, true, true]);
});

test('the control endpoint kills a node by number and reports it back up', async () => {
  cluster = await startDevCluster({ redis: redis.server().url, nodes: 2, port: 0, controlPort: 0, log: false, nodeEntry });
  expect(await post(`${cluster.controlUrl}/fault/kill?node=2&ms=100`)).toEqual({ status: 200, body: { fault: 'kill', node: 'node-2' } });
  expect(await post(`${cluster.controlUrl}/fault/kill?node=3`)).toEqual({ status: 400, body: { error: 'node must be 1..2 and running' } });
  expect(await post(`${cluster.controlUrl}/fault/restart`)).toEqual({ status: 400, body: { error: 'unknown fault "restart"; try kill|drop|blackhole|refuse' } });
  await until(() => cluster!.nodes().every((n) => n.alive), 5000, 'node-2 back');
  const status = await post(`${cluster.controlUrl}/status`);
  expect(((status.body as { nodes: unknown }).nodes as Array<{ name: string; alive: boolean }>).map((n) => `${n.name}:${n.alive}`)).toEqual(['node-1:true', 'node-2:true']);
});

test('cluster mode serves what single mode serves: the H5 page, a favicon, plain echo, and safe control routes', async () => {
  cluster = await startDevCluster({ redis: redis.server().url, nodes: 2, port: 0, controlPort: 0, log: false, nodeEntry });
  const base = httpOf(cluster.url);
  for (let i = 0; i < 2; i++) {
    // Twice: round robin, so both nodes answer once.
    const page = await request(`${base}/`, 'GET');
    expect({ status: page.status, type: page.headers['content-type'] }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.text).toContain('/h5/demo.js');
    const icon = await request(`${base}/favicon.ico`, 'GET');
    expect({ status: icon.status, type: icon.headers['content-type'] }).toEqual({ status: 200, type: 'image/svg+xml' });
  }
  const port = Number(new URL(cluster.url).port);
  const plain = await raw(port);
  plain.send('hi');
  plain.send('fault:drop');
  expect([await plain.next(), await plain.next()]).toEqual(['hi', 'fault:drop']);
  plain.send('ping');
  expect(await plain.next()).toBe('pong');
  const s = await raw(port, {}, '/?user=carol');
  expect(await s.hello(null)).toMatchObject({ t: 'welcome', resumed: false, reason: 'new' });
  s.send({ t: 'msg', s: 1, id: 'x', d: 'session echo' });
  await until(() => s.msgs().length === 1, 5000, 'the session echo');
  expect(s.msgs()).toEqual(['1:session echo']);
  // The page's own origin reaches the control routes through the WebSocket port; nothing else does.
  expect((await request(`${base}/status`, 'POST', { origin: base })).json).toMatchObject({ mode: 'cluster', faults: ['kill', 'drop', 'blackhole', 'refuse'] });
  expect((await request(`${base}/status`, 'GET')).status).toBe(405);
  expect((await request(`${base}/fault/drop`, 'POST', { host: 'evil.example' })).status).toBe(403);
  expect((await request(`${cluster.controlUrl}/fault/drop`, 'POST', { origin: 'http://evil.example' })).status).toBe(403);
  plain.send('still linked');
  expect(await plain.next()).toBe('still linked');
});
