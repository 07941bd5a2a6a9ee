/** The H5 demo page, the browser bundle and a favicon, served on the dev server's own port (GET /, /h5/*, /favicon.*). */
import fs from 'fs';
import path from 'path';
import type http from 'http';
import { requestUrl } from './http-head';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
/** dist/h5, built by `npm run build` beside dist/dev-server (run from src/, e.g. in tests: the built one). */
export const H5_ROOT = __dirname.split(path.sep).slice(-2)[0] === 'src' ? path.join(__dirname, '..', '..', 'dist', 'h5') : path.join(__dirname, '..', 'h5');

/** A green rounded square with a white signal arc: the open banner's colour. */
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#07c160"/>'
  + '<path d="M9 20a7 7 0 0 1 14 0M5 20a11 11 0 0 1 22 0" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="16" cy="21" r="2.5" fill="#fff"/></svg>';

/** Answers the request if it is for the demo; false when it is not. */
export function serveH5(req: http.IncomingMessage, res: http.ServerResponse, root = H5_ROOT): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = requestUrl(req.url)?.pathname;
  if (pathname === '/favicon.ico' || pathname === '/favicon.svg') {
    res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' }).end(FAVICON);
    return true;
  }
  const file = pathname === '/' ? 'index.html' : /^\/h5\/([\w-]+\.(?:js|html))$/.exec(pathname ?? '')?.[1];
  if (!file) return false;
  fs.readFile(path.join(root, file), (err, body) => {
    if (err) return res.writeHead(404, { 'content-type': 'text/plain' }).end(`${file} not found: run "npm run build" first`);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  return true;
}
