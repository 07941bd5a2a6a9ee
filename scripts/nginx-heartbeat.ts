/**
 * How nginx's `proxy_read_timeout` meets the manager's heartbeat, measured with the real nginx:
 * idle session links (SocketSession, heartbeat only) through nginx to createSessionServer, and
 * how many of them nginx cuts in a given time.
 *
 *   npm run build && node .build/scripts/nginx-heartbeat.js [seconds]
 *
 * runs the default heartbeat (a ping after 10 s without an inbound frame) against several
 * timeouts at once and prints a table (docs/production.md quotes it). test/server/nginx-proxy
 * runs the same measurement scaled down to a 1 s heartbeat.
 */
import { spawnSync } from 'child_process';
import { WxSocketManager } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { createSessionServer } from 'wx-socket-manager/server';
import { SocketSession } from 'wx-socket-manager/session';
import { nginxPath, startNginx } from './nginx';

export interface HeartbeatRun {
  /** nginx `proxy_read_timeout`, e.g. '10s' or '1500ms'. */
  readTimeout: string;
  /** The manager's heartbeat interval (and timeout), ms. */
  interval: number;
  links: number;
  /** How long the idle links are watched, ms. */
  duration: number;
}

export interface HeartbeatResult extends HeartbeatRun {
  /** Links nginx closed (each reconnects and is counted again if cut again). */
  cuts: number;
  /** ms from the start to the first cut. */
  firstCut: number | undefined;
}

export async function measureHeartbeat(run: HeartbeatRun): Promise<HeartbeatResult> {
  const server = createSessionServer({ port: 0 });
  await server.ready;
  const nginx = await startNginx({ upstreamPort: server.port, readTimeout: run.readTimeout });
  const sockets: WxSocketManager[] = [];
  const result: HeartbeatResult = { ...run, cuts: 0, firstCut: undefined };
  const t0 = Date.now();
  let watching = true;
  try {
    for (let i = 0; i < run.links; i++) {
      const socket = new WxSocketManager({
        url: `ws://127.0.0.1:${nginx.port}/live`,
        connectSocket: createWsConnectSocket(),
        watchNetwork: false,
        watchApp: false,
        heartbeat: { interval: run.interval, timeout: run.interval },
        reconnect: { interval: 100, maxAttempts: 100000 },
      });
      new SocketSession(socket);
      socket.on('close', () => {
        if (!watching) return;
        result.cuts++;
        result.firstCut ??= Date.now() - t0;
      });
      sockets.push(socket);
      socket.connect();
    }
    await new Promise((r) => setTimeout(r, run.duration));
    return result;
  } finally {
    watching = false;
    for (const s of sockets) s.destroy();
    await nginx.stop();
    await server.close();
  }
}

async function main(): Promise<void> {
  const duration = Number(process.argv[2] ?? 35) * 1000;
  const timeouts = ['5s', '9s', '10s', '11s', '15s', '60s'];
  const version = spawnSync(nginxPath(), ['-v'], { encoding: 'utf8' }).stderr.trim();
  process.stdout.write(`heartbeat 10 000 ms (the default), 10 idle session links per row, watched ${duration / 1000} s; ${version}\n\n`);
  const results = await Promise.all(timeouts.map((readTimeout) => measureHeartbeat({ readTimeout, interval: 10000, links: 10, duration })));
  process.stdout.write('| `proxy_read_timeout` | links cut in the window | first cut after |\n|---|---|---|\n');
  for (const r of results) process.stdout.write(`| ${r.readTimeout} | ${r.cuts} | ${r.firstCut === undefined ? '—' : `${(r.firstCut / 1000).toFixed(1)} s`} |\n`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
