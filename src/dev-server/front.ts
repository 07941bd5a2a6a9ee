/**
 * What clients reach, in either mode: the fault proxy on the WebSocket port (it also answers
 * the control routes) and the control port. If either cannot listen, neither is left listening.
 */
import type http from 'http';
import { createControlServer, controlFront } from './control';
import type { ControlTarget } from './control';
import { startFaultProxy } from './fault-proxy';
import type { FaultProxy } from './fault-proxy';
import { closeServer, listen } from './listen';
import type { Log } from './log';

export interface FrontOptions {
  host: string;
  port: number;
  /** @default port + 1 (0 when port is 0) */
  controlPort: number | undefined;
  upstreams: () => number[];
  log: Log;
  target: ControlTarget;
}

export interface Front {
  proxy: FaultProxy;
  control: http.Server;
  controlPort: number;
  close(): Promise<void>;
}

export async function startFront(o: FrontOptions): Promise<Front> {
  const proxy = await startFaultProxy(o.host, o.port, o.upstreams, o.log, controlFront(o.target));
  const control = createControlServer(o.target);
  let controlPort: number;
  try {
    controlPort = await listen(control, o.controlPort ?? (o.port === 0 ? 0 : proxy.port + 1), o.host);
  } catch (err) {
    await proxy.close();
    throw err;
  }
  return { proxy, control, controlPort, close: async () => void (await Promise.all([proxy.close(), closeServer(control)])) };
}
