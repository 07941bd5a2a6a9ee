/** `npm run dev-server -- --redis URL --nodes 3`: session nodes on one Redis behind the fault proxy, killed for real. */
import http from 'http';
import path from 'path';
import { WxSocketManager } from '../../src';
import { startDevCluster } from '../../src/dev-server/cluster';
import type { DevCluster } from '../../src/dev-server/cluster';
import { createWsConnectSocket } from '../../src/node';
import { SocketSession } from '../../src/session';
import { sleep, until } from '../support/real-helpers';
import { bundleForChild, useRedis } from '../support/redis-helpers';
import { fromRoot } from '../support/paths';

const redis = useRedis();
const nodeEntry = bundleForChild(fromRoot('src/dev-server/redis-node.ts'));
let cluster: DevCluster | undefined;
let socket: WxSocketManager | undefined;
afterEach(async () => {
  socket?.destroy();
  await cluster?.close();
});

const get = (url: string): Promise<{ status: number; body: Record<string, unknown> }> => new Promise((resolve, reject) => {
  http.get(url, (res) => {
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
  }).on('error', reject);
});

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
  expect(await get(`${cluster.controlUrl}/fault/kill?node=2&ms=100`)).toEqual({ status: 200, body: { fault: 'kill', node: 'node-2' } });
  expect(await get(`${cluster.controlUrl}/fault/kill?node=3`)).toEqual({ status: 400, body: { error: 'node must be 1..2 and running' } });
  await until(() => cluster!.nodes().every((n) => n.alive), 5000, 'node-2 back');
  const status = await get(`${cluster.controlUrl}/status`);
  expect((status.body.nodes as Array<{ name: string; alive: boolean }>).map((n) => `${n.name}:${n.alive}`)).toEqual(['node-1:true', 'node-2:true']);
});
