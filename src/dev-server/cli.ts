#!/usr/bin/env node
/** `npm run dev-server -- --port 8090 --host 127.0.0.1 --tick 3000` */
import { startDevCluster } from './cluster';
import { startDevServer } from './index';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function numberFlag(name: string): number | undefined {
  const raw = flag(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

if (process.argv.includes('--help')) {
  console.log('usage: wx-socket-dev-server [--port 8090] [--host 127.0.0.1] [--control-port PORT+1] [--tick 3000]');
  console.log('       wx-socket-dev-server --redis redis://127.0.0.1:6379 [--nodes 3] [--port 8090] [--host 127.0.0.1] [--control-port PORT+1]');
  process.exit(0);
}

/** Prints `banner` once started; stops cleanly on SIGINT/SIGTERM; exits 1 if it cannot start. */
function serve<T extends { close(): Promise<void> }>(what: string, started: Promise<T>, banner: (t: T) => string[]): void {
  started.then(
    (t) => {
      for (const line of banner(t)) console.log(line);
      const stop = (): void => void t.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: Error) => {
      console.error(`${what} failed to start: ${err.message}`);
      process.exit(1);
    },
  );
}

const redis = flag('redis');
const common = { port: numberFlag('port'), host: flag('host'), controlPort: numberFlag('control-port') };
if (redis !== undefined) {
  // Session nodes sharing a Redis, behind the fault proxy (cluster.ts).
  serve('dev cluster', startDevCluster({ redis, nodes: numberFlag('nodes'), ...common }), (cluster) => [
    `WebSocket:  ${cluster.url}   (reliable sessions only: each message echoed, by whichever node holds the link)`,
    `Control:    ${cluster.controlUrl}/status`,
    `Faults:     ${cluster.controlUrl}/fault/kill?node=1&ms=1000 (SIGKILL, then restart) | drop | blackhole?ms=10000`,
  ]);
} else {
  serve('dev server', startDevServer({ ...common, tickInterval: numberFlag('tick') }), (server) => [
    `WebSocket:  ${server.url}   ("ping" → "pong", text/binary echoed, a tick every few seconds)`,
    `H5 demo:    ${server.url.replace(/^ws:/, 'http:')}/   (open it in a browser: the same story as the mini-program demo)`,
    '            a client whose first frame is a session hello gets a reliable session (echo + numbered ticks)',
    `Control:    ${server.controlUrl}/status`,
    `Faults:     ${server.controlUrl}/fault/restart | crash | blackhole?ms=10000 | refuse?ms=5000 | nopong?ms=30000 | close?code=4001&reason=bye`,
    '            or send the text "fault:restart", "fault:blackhole 10000", "fault:close 4001 bye" over the socket',
  ]);
}
