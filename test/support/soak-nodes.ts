/**
 * The machinery of the multi-node soaks: session-server nodes as child processes (a bundled
 * fixture speaking IPC: `{ t: 'ready', port }`, `{ t: 'appended', n }` once server send n has its
 * seq), and numbered server sends made one after the other through a random live node, which a
 * node kill waits for (a send half-way on a killed node would be neither here nor there).
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import { WxSocketManager } from '../../src';
import type { ConnectSocket } from '../../src';
import { sleep } from './real-helpers';

export interface SoakNode {
  name: string;
  port: number;
  child: ChildProcess | undefined;
  /** Server sends waiting for their append (true) or the node's death (false), by number. */
  appended: Map<number, (ok: boolean) => void>;
}

export type NodeMessage = { t: string; n: number; port: number; [key: string]: unknown };

export const soakNode = (name: string): SoakNode => ({ name, port: 0, child: undefined, appended: new Map() });

/**
 * Forks `bundle` as `node` (env: NODE_NAME, PORT, and `env`); resolves when it is ready. Messages
 * other than `ready` and `appended` go to `onMessage`.
 */
export function startNode(bundle: string, node: SoakNode, env: Record<string, string>, onMessage: (m: NodeMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(bundle, [], { env: { ...process.env, ...env, NODE_NAME: node.name, PORT: String(node.port) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    node.child = child;
    child.on('message', (m: NodeMessage) => {
      if (m.t === 'ready') {
        node.port = m.port;
        resolve();
      } else if (m.t === 'appended') node.appended.get(m.n)?.(true);
      else onMessage(m);
    });
    child.once('exit', () => {
      if (node.child === child) node.child = undefined;
      for (const settle of node.appended.values()) settle(false);
      reject(new Error(`node ${node.name} exited before it was ready`));
    });
  });
}

/** SIGKILLs the node and waits until its process is gone. */
export async function killNode(node: SoakNode): Promise<void> {
  const child = node.child!;
  node.child = undefined;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

/** Numbered server sends `{ t: 'send', n, sid }`, one after the other (their order is the test's), each through a random live node. */
export class SerialSends {
  private gate: Promise<void> = Promise.resolve();
  private inflight: Promise<void> = Promise.resolve();

  constructor(private readonly live: () => SoakNode[], private readonly pick: <T>(xs: readonly T[]) => T) {}

  /** Sends n to session `sid`; resolves once a node appended it (again through another node if the first died). */
  async send(n: number, sid: string): Promise<void> {
    await this.gate;
    this.inflight = this.once(n, sid);
    await this.inflight;
  }

  /** Holds the next send and waits for the one in flight: no send is half-way now. Call the returned function to go on. */
  async hold(): Promise<() => void> {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    for (let f = this.inflight; ; f = this.inflight) {
      await f;
      if (f === this.inflight) break;
    }
    return release;
  }

  private async once(n: number, sid: string): Promise<void> {
    for (;;) {
      const node = this.pick(this.live());
      const ok = await new Promise<boolean>((resolve) => {
        node.appended.set(n, resolve);
        node.child!.send({ t: 'send', n, sid });
      });
      node.appended.delete(n);
      if (ok) return;
    }
  }
}

/** A soak client's manager: fast heartbeat and reconnects, never giving up. */
export function soakSocket(url: string, connectSocket: ConnectSocket, header?: Record<string, string>): WxSocketManager {
  return new WxSocketManager({
    url,
    header,
    connectSocket,
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 200, timeout: 300 },
    reconnect: { interval: 50, maxAttempts: 100000, jitter: 0.3 },
    connectTimeout: 1000,
  });
}

/**
 * The soaks' seeded fault schedule: `faults` in shuffled rounds (12 in all), one every `gap` to
 * `gap` + 1.2 s, until 1.5 s before `ms` are over.
 */
export async function* faultSchedule<F>(faults: readonly F[], random: () => number, ms: number, gap: number): AsyncGenerator<F> {
  const plan: F[] = [];
  while (plan.length < 12) plan.push(...[...faults].sort(() => random() - 0.5));
  const end = Date.now() + ms;
  for (const fault of plan) {
    if (Date.now() > end - 1500) return;
    await sleep(gap + random() * 1200);
    yield fault;
  }
}
