/** Plain HTTP requests with chosen headers (Host, Origin…), for the dev server's routes. */
import http from 'http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is. */
  json: Record<string, unknown> | undefined;
}

/** `url` is where to connect; `headers.host` may name any host (a DNS-rebinding page sends its own). */
export function request(url: string, method = 'POST', headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The ws:// URL's http:// twin (the same port serves the H5 page and the control routes). */
export const httpOf = (wsUrl: string): string => wsUrl.replace(/^ws:/, 'http:');
