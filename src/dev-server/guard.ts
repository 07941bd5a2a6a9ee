/**
 * Who may use the control routes: a POST, addressed to a loopback host, from the same origin
 * or from no browser page at all. A web page elsewhere can neither drive them by DNS
 * rebinding (its requests carry its own host name in `Host`) nor by a cross-site form or
 * fetch (its `Origin` is another site). The read-only routes (`/metrics`, `/dashboard`) take
 * GET instead, behind the same two checks, so no other site reads them either. Pure.
 */

export interface ControlRequest {
  method?: string;
  host?: string;
  origin?: string;
}

export interface Refusal {
  status: number;
  error: string;
}

/** `127.0.0.1`, `127.x.y.z`, `localhost` or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.toLowerCase().replace(/:\d{1,5}$/, '');
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

/** Why this request may not use a control route, or undefined when it may. */
export function controlRefusal(req: ControlRequest): Refusal | undefined {
  if (req.method !== 'POST') return { status: 405, error: 'control routes answer POST only (e.g. curl -X POST)' };
  return placeRefusal(req, 'control routes');
}

/** Why this request may not read `/metrics` or `/dashboard`, or undefined when it may. */
export function readRefusal(req: ControlRequest): Refusal | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, error: '/metrics and /dashboard answer GET only' };
  return placeRefusal(req, '/metrics and /dashboard');
}

/** A loopback `Host`, and the same origin or none. */
function placeRefusal(req: ControlRequest, what: string): Refusal | undefined {
  if (!isLoopbackHost(req.host)) return { status: 403, error: `${what} answer only requests addressed to 127.0.0.1, localhost or [::1]` };
  if (req.origin !== undefined && req.origin.toLowerCase() !== `http://${(req.host ?? '').toLowerCase()}`) {
    return { status: 403, error: `${what} refuse requests from another origin` };
  }
  return undefined;
}
