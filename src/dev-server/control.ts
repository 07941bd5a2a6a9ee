/**
 * The control routes, `POST /status` and `POST /fault/<name>?ms=&code=&reason=&node=`, on the
 * control port and on the WebSocket port itself (where the fault proxy answers them, so the
 * H5 page's buttons reach them from its own origin, and a fault never cuts its own request).
 * The read routes (dashboard-routes.ts) are answered in the same two places.
 */
import http from 'http';
import { answerRead, isReadPath } from './dashboard-routes';
import type { DashboardSource } from './dev-metrics';
import { controlRefusal } from './guard';
import type { ControlRequest } from './guard';
import { faultArgs, rawFaultArgs } from './faults';
import type { FaultArgs, FaultOutcome } from './faults';
import { jsonAnswer, rawHttp, writeAnswer } from './http-answer';
import type { HttpAnswer } from './http-answer';
import { requestUrl } from './http-head';
import type { RequestHead } from './http-head';

export interface ControlTarget {
  status(): Record<string, unknown>;
  fault(name: string, args: FaultArgs): FaultOutcome;
  /** What the read routes (`GET /metrics`, `/dashboard`) show; none: they are not served. */
  dashboard?: DashboardSource;
}

export interface ControlAnswer {
  status: number;
  body: Record<string, unknown>;
}

const NOT_FOUND: ControlAnswer = { status: 404, body: { error: 'try POST /status, POST /fault/<name>, GET /metrics or GET /dashboard' } };

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
  if (!name) return NOT_FOUND;
  const args = faultArgs(rawFaultArgs(u.searchParams));
  const outcome = 'error' in args ? args : target.fault(name, args);
  return { status: 'error' in outcome ? 400 : 200, body: outcome };
}

/** A control answer as an HTTP one. */
const controlHttp = (answer: ControlAnswer): HttpAnswer => jsonAnswer(answer.status, answer.body, answer.status === 405 ? { allow: 'POST' } : {});

/** Answers a control route or a read route (`/metrics`, `/dashboard`); undefined for any other path. */
function answerRoute(req: ControlRequest & { url: string }, target: ControlTarget): HttpAnswer | Promise<HttpAnswer> | undefined {
  const pathname = requestUrl(req.url)?.pathname ?? '';
  if (isControlPath(pathname)) return controlHttp(answerControl(req, target));
  if (target.dashboard && isReadPath(pathname)) return answerRead(req, target.dashboard);
  return undefined;
}

/** An HTTP server answering only the control and read routes (the control port). */
export function createControlServer(target: ControlTarget): http.Server {
  return http.createServer((req, res) => {
    const head = { method: req.method, url: req.url ?? '/', host: req.headers.host, origin: req.headers.origin };
    const send = (answer: HttpAnswer): void => writeAnswer(res, answer, req.method);
    const answer = answerRoute(head, target) ?? controlHttp(NOT_FOUND);
    if ('then' in answer) answer.then(send, () => send(controlHttp({ status: 500, body: { error: 'could not answer' } })));
    else send(answer);
  });
}

/** The fault proxy's front: control and read requests on the WebSocket port are answered here, the rest forwarded. */
export function controlFront(target: ControlTarget): (head: RequestHead) => string | Promise<string> | undefined {
  return (head) => {
    const answer = answerRoute(head, target);
    if (answer === undefined) return undefined;
    return 'then' in answer ? answer.then((a) => rawHttp(a, head.method)) : rawHttp(answer, head.method);
  };
}
