/**
 * The control routes, `POST /status` and `POST /fault/<name>?ms=&code=&reason=&node=`, on the
 * control port and on the WebSocket port itself (where the fault proxy answers them, so the
 * H5 page's buttons reach them from its own origin, and a fault never cuts its own request).
 */
import http from 'http';
import { controlRefusal } from './guard';
import type { ControlRequest } from './guard';
import { faultArgs, rawFaultArgs } from './faults';
import type { FaultArgs, FaultOutcome } from './faults';
import { requestUrl } from './http-head';
import type { RequestHead } from './http-head';

export interface ControlTarget {
  status(): Record<string, unknown>;
  fault(name: string, args: FaultArgs): FaultOutcome;
}

export interface ControlAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Whether a path is one of the control routes. */
export function isControlPath(pathname: string): boolean {
  return pathname === '/status' || pathname.startsWith('/fault/');
}

/** Answers one control request. Nothing here logs the query or headers. */
export function answerControl(req: ControlRequest & { url: string }, target: ControlTarget): ControlAnswer {
  const refusal = controlRefusal(req);
  if (refusal) return { status: refusal.status, body: { error: refusal.error } };
  const u = requestUrl(req.url);
  if (!u) return { status: 400, body: { error: 'bad request target' } };
  if (u.pathname === '/status') return { status: 200, body: target.status() };
  const name = /^\/fault\/(\w+)$/.exec(u.pathname)?.[1];
  if (!name) return { status: 404, body: { error: 'try POST /status or POST /fault/<name>' } };
  const args = faultArgs(rawFaultArgs(u.searchParams));
  const outcome = 'error' in args ? args : target.fault(name, args);
  return { status: 'error' in outcome ? 400 : 200, body: outcome };
}

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' };

/** The answer as raw HTTP/1.1 bytes (the proxy writes them straight to a socket). */
export function rawHttpAnswer(answer: ControlAnswer): string {
  const body = JSON.stringify(answer.body);
  const lines = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}`, ...Object.entries(HEADERS).map(([k, v]) => `${k}: ${v}`)];
  if (answer.status === 405) lines.push('allow: POST');
  lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** An HTTP server answering only the control routes (the control port). */
export function createControlServer(target: ControlTarget): http.Server {
  return http.createServer((req, res) => {
    const answer: ControlAnswer = isControlPath(requestUrl(req.url)?.pathname ?? '')
      ? answerControl({ method: req.method, url: req.url ?? '/', host: req.headers.host, origin: req.headers.origin }, target)
      : { status: 404, body: { error: 'try POST /status or POST /fault/<name>' } };
    res.writeHead(answer.status, { ...HEADERS, ...(answer.status === 405 ? { allow: 'POST' } : {}) }).end(JSON.stringify(answer.body));
  });
}

/** The fault proxy's front: control requests on the WebSocket port are answered by `target`, the rest forwarded. */
export function controlFront(target: ControlTarget): (head: RequestHead) => string | undefined {
  return (head) => (isControlPath(requestUrl(head.url)?.pathname ?? '') ? rawHttpAnswer(answerControl(head, target)) : undefined);
}
