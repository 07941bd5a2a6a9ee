/**
 * A private nginx in front of a WebSocket server, for tests and measurements: a free
 * 127.0.0.1 port, a temp dir for its config, pid and logs, the reverse-proxy block that
 * docs/production.md shows (test/fixtures/nginx/session-proxy.conf) with the
 * `proxy_read_timeout` asked, stopped by its owner. The Debian
 * package `nginx` provides the binary (`.ci/run` installs it).
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { freePort } from './redis-server';

export interface NginxProcess {
  readonly port: number;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The WebSocket server nginx passes the upgrade to. */
  upstreamPort: number;
  /** nginx's `proxy_read_timeout` (and `proxy_send_timeout`), e.g. `'10s'`. @default '60s' */
  readTimeout?: string;
}

export function nginxPath(): string {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']) {
    const bin = path.join(dir, 'nginx');
    if (dir && fs.existsSync(bin)) return bin;
  }
  throw new Error('[wx-socket-manager] nginx not found on PATH: apt-get install nginx (Debian/Ubuntu) or brew install nginx (macOS)');
}

/** The block docs/production.md shows (test/fixtures/nginx/session-proxy.conf), for an upstream on 127.0.0.1 and the timeout asked: its http part and its server part. */
export function proxyBlock(upstreamPort: number, readTimeout: string): { http: string; server: string } {
  // From scripts/ (ts-jest) or .build/scripts/ (built).
  const root = fs.existsSync(path.join(__dirname, '../package.json')) ? path.join(__dirname, '..') : path.join(__dirname, '../..');
  const text = fs.readFileSync(path.join(root, 'test/fixtures/nginx/session-proxy.conf'), 'utf8')
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`)
    .replace(/proxy_(read|send)_timeout 60s;/g, `proxy_$1_timeout ${readTimeout};`);
  const at = text.indexOf('\nlocation ');
  return { http: text.slice(0, at), server: text.slice(at) };
}

function config(dir: string, port: number, options: NginxOptions): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  // As root the workers would switch to "nobody"; they need nothing of the dir but the logs it opened.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  const block = proxyBlock(options.upstreamPort, options.readTimeout ?? '60s');
  return `${user}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp}
${block.http}
  server {
    listen 127.0.0.1:${port};
${block.server}
  }
}
`;
}

/** Resolves once nginx accepts connections (bounded: 10 s). */
async function accepting(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (const end = Date.now() + 10000; Date.now() < end;) {
    if (child.exitCode !== null) throw new Error(`[wx-socket-manager] nginx exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`[wx-socket-manager] nginx did not listen on 127.0.0.1:${port} within 10 s: ${log()}`);
}

export async function startNginx(options: NginxOptions): Promise<NginxProcess> {
  const bin = nginxPath();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-nginx-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), config(dir, port, options));
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
  const log = (): string => (fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000) : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await accepting(port, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}
