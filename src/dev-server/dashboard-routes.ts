/**
 * The read-only routes: `GET /metrics` (every node's series, Prometheus text, each value
 * labelled `node`), `GET /dashboard` (live charts, its script and style built into dist/h5) and
 * `GET /dashboard/data` (what the page polls). Answered where the control routes are, behind
 * the same loopback `Host` and same-origin checks (guard.ts), never by a node.
 */
import fs from 'fs/promises';
import path from 'path';
import type { DashboardSource } from './dev-metrics';
import { readRefusal } from './guard';
import type { ControlRequest } from './guard';
import { H5_ROOT } from './h5';
import { httpAnswer, jsonAnswer } from './http-answer';
import type { HttpAnswer } from './http-answer';
import { requestUrl } from './http-head';

const FILES: Record<string, [string, string]> = {
  '/dashboard': ['dashboard.html', 'text/html; charset=utf-8'],
  '/dashboard/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
};

/** Whether a path is one of the read routes. */
export function isReadPath(pathname: string): boolean {
  return pathname === '/metrics' || pathname === '/dashboard' || pathname.startsWith('/dashboard/');
}

/** Answers one read request. Nothing here logs the query or headers. */
export async function answerRead(req: ControlRequest & { url: string }, source: DashboardSource, root = H5_ROOT): Promise<HttpAnswer> {
  const refusal = readRefusal(req);
  if (refusal) return refusal.status === 405 ? jsonAnswer(405, { error: refusal.error }, { allow: 'GET, HEAD' }) : jsonAnswer(refusal.status, { error: refusal.error });
  const pathname = requestUrl(req.url)?.pathname ?? '';
  if (pathname === '/metrics') {
    const metrics = await source.metrics();
    return 'text' in metrics ? httpAnswer(200, 'text/plain; version=0.0.4; charset=utf-8', metrics.text) : httpAnswer(501, 'text/plain; charset=utf-8', `${metrics.missing}\n`);
  }
  if (pathname === '/dashboard/data') return jsonAnswer(200, await source.data());
  const file = FILES[pathname];
  if (!file) return jsonAnswer(404, { error: 'try GET /metrics or GET /dashboard' });
  try {
    return httpAnswer(200, file[1], await fs.readFile(path.join(root, file[0]), 'utf8'));
  } catch {
    return httpAnswer(404, 'text/plain; charset=utf-8', `${file[0]} not found: run "npm run build" first\n`);
  }
}
