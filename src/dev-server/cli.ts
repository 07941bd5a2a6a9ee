#!/usr/bin/env node
/** `npm run dev-server -- --port 8090 --host 127.0.0.1 --tick 3000` */
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
  process.exit(0);
}

startDevServer({ port: numberFlag('port'), host: flag('host'), controlPort: numberFlag('control-port'), tickInterval: numberFlag('tick') }).then(
  (server) => {
    console.log(`WebSocket:  ${server.url}   ("ping" → "pong", text/binary echoed, a tick every few seconds)`);
    console.log('            a client whose first frame is a session hello gets a reliable session (echo + numbered ticks)');
    console.log(`Control:    ${server.controlUrl}/status`);
    console.log(`Faults:     ${server.controlUrl}/fault/restart | crash | blackhole?ms=10000 | refuse?ms=5000 | nopong?ms=30000 | close?code=4001&reason=bye`);
    console.log('            or send the text "fault:restart", "fault:blackhole 10000", "fault:close 4001 bye" over the socket');
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  },
  (err: Error) => {
    console.error(`dev server failed to start: ${err.message}`);
    process.exit(1);
  },
);
