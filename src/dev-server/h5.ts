/** The H5 demo page and the browser bundle, served on the dev server's own port (GET /, /h5/*). */
import fs from 'fs';
import path from 'path';
import type http from 'http';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
/** dist/h5, built by `npm run build` beside dist/dev-server (run from src/, e.g. in tests: the built one). */
const ROOT = __dirname.split(path.sep).slice(-2)[0] === 'src' ? path.join(__dirname, '..', '..', 'dist', 'h5') : path.join(__dirname, '..', 'h5');

/** Answers the request if it is for the demo; false when it is not. */
export function serveH5(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const file = pathname === '/' ? 'index.html' : /^\/h5\/([\w-]+\.(?:js|html))$/.exec(pathname)?.[1];
  if (!file || req.method !== 'GET') return false;
  fs.readFile(path.join(ROOT, file), (err, body) => {
    if (err) return res.writeHead(404, { 'content-type': 'text/plain' }).end(`${file} not found: run "npm run build" first`);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  return true;
}
