/** The dev server's own HTTP answers (control and read routes): never cached, one per connection. */
import http from 'http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function httpAnswer(status: number, type: string, body: string, extra: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'content-type': type, 'cache-control': 'no-store', connection: 'close', ...extra }, body };
}

export function jsonAnswer(status: number, body: unknown, extra?: Record<string, string>): HttpAnswer {
  return httpAnswer(status, 'application/json; charset=utf-8', JSON.stringify(body), extra);
}

/** An answer as raw HTTP/1.1 bytes (the proxy writes them straight to a socket); HEAD gets the head only. */
export function rawHttp(answer: HttpAnswer, method?: string): string {
  const lines = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}`, ...Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}`)];
  lines.push(`content-length: ${Buffer.byteLength(answer.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${method === 'HEAD' ? '' : answer.body}`;
}

/** Writes an answer to a Node response. */
export function writeAnswer(res: http.ServerResponse, answer: HttpAnswer, method?: string): void {
  res.writeHead(answer.status, answer.headers).end(method === 'HEAD' ? undefined : answer.body);
}
