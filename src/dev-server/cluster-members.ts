/**
 * The child processes of cluster mode, one dev node each (redis-node.ts): started, told their
 * port over IPC, killed for real, started again on the same port. A node's `fault:` texts
 * (with --text-faults) come here over IPC and are answered the same way.
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import type { MetricJson } from './dashboard-data';
import type { Journal } from './journal';
import type { Log } from './log';

export interface Member {
  name: string;
  /** 0 until first started; then kept, so a restarted node is where the proxy expects it. */
  port: number;
  child: ChildProcess | undefined;
}

/** Messages between a node and the parent. */
export type NodeMessage = { type: 'ready'; port: number } | { type: 'fault'; id: number; text: string } | { type: 'metrics'; id: number; metrics?: MetricJson[] };
export type ParentMessage = { type: 'fault-reply'; id: number; reply: string } | { type: 'metrics'; id: number };

export interface MemberSetup {
  entry: string;
  env: Record<string, string>;
  log: Log;
  /** Where a node coming back or dying unasked is noted for the dashboard. */
  journal: Journal;
  /** Whether the parent is closing (a node's exit is then expected). */
  closing(): boolean;
  /** Answers a node's `fault:` text. */
  faultText(text: string): string;
}

export function startMember(m: Member, setup: MemberSetup): Promise<void> {
  const again = m.port !== 0;
  return new Promise((resolve, reject) => {
    const child = fork(setup.entry, [], {
      env: { ...process.env, ...setup.env, NODE_NAME: m.name, PORT: String(m.port) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    m.child = child;
    child.on('message', (msg: NodeMessage) => {
      if (msg.type === 'ready') {
        m.port = msg.port;
        setup.log(`${m.name} up on 127.0.0.1:${m.port}`);
        if (again) setup.journal.add('node', `${m.name} up`);
        resolve();
      } else if (msg.type === 'fault') {
        const reply: ParentMessage = { type: 'fault-reply', id: msg.id, reply: setup.faultText(msg.text) };
        if (child.connected) child.send(reply);
      }
    });
    child.once('exit', (code, signal) => {
      // Still its member's child: nobody killed it on purpose.
      const unasked = m.child === child && !setup.closing();
      if (m.child === child) m.child = undefined;
      if (unasked) setup.journal.add('node', `${m.name} died`);
      if (!setup.closing()) setup.log(`${m.name} exited (${signal ?? code})`);
      reject(new Error(`${m.name} exited before it was ready`));
    });
  });
}

/** SIGKILLs the member's process and waits until it is gone. */
export async function killMember(m: Member): Promise<void> {
  const child = m.child;
  if (!child) return;
  m.child = undefined;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

let nextScrape = 1;

/** The member's series (its node's registry as JSON), or undefined when it is down, has none or does not answer within `timeout` ms. */
export function scrapeMember(m: Member, timeout = 1000): Promise<MetricJson[] | undefined> {
  const child = m.child;
  if (!child?.connected) return Promise.resolve(undefined);
  const id = nextScrape++;
  return new Promise((resolve) => {
    const done = (metrics?: MetricJson[]): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(metrics);
    };
    const onMessage = (msg: NodeMessage): void => {
      if (msg.type === 'metrics' && msg.id === id) done(msg.metrics);
    };
    const onExit = (): void => done();
    const timer = setTimeout(done, timeout);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'metrics', id } satisfies ParentMessage, (err) => err && done());
  });
}
