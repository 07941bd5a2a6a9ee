/** The faults of single mode (SINGLE_FAULTS), run on the proxy, the node and its sessions. */
import type { DevNode } from './node';
import type { FaultProxy } from './fault-proxy';
import { faultProblem, SINGLE_FAULTS } from './faults';
import type { FaultArgs, FaultOutcome } from './faults';
import type { Journal } from './journal';
import type { Log } from './log';
import type { DevSessions } from './sessions';

/** Whether `ping` is answered now (the nopong fault), with counts. */
export interface PongSwitch {
  readonly pings: number;
  readonly pongsWithheld: number;
  answer(): boolean;
  offFor(ms: number): void;
}

export function createPongSwitch(): PongSwitch {
  let offUntil = 0;
  const counts = { pings: 0, pongsWithheld: 0 };
  return {
    get pings() {
      return counts.pings;
    },
    get pongsWithheld() {
      return counts.pongsWithheld;
    },
    answer() {
      counts.pings++;
      if (Date.now() >= offUntil) return true;
      counts.pongsWithheld++;
      return false;
    },
    offFor(ms) {
      offUntil = Date.now() + ms;
    },
  };
}

export interface SingleParts {
  proxy: FaultProxy;
  node: DevNode;
  sessions: () => DevSessions;
  pong: PongSwitch;
  log: Log;
  /** Where each fault is noted for the dashboard's markers. */
  journal: Journal;
  restartDowntime: number;
}

export interface SingleFaults {
  restart(downtime?: number, user?: string): void;
  crash(downtime?: number): void;
  blackhole(ms?: number, user?: string): void;
  refuse(ms: number): void;
  stopPong(ms: number): void;
  closeAll(code?: number, reason?: string): void;
  /** Runs a fault by name with checked arguments. */
  run(name: string, args: FaultArgs): FaultOutcome;
}

export function singleFaults(parts: SingleParts): SingleFaults {
  const { proxy, node } = parts;
  /** The log line, and the fault on the dashboard. */
  const announce = (fault: string, line: string, marker = fault): void => {
    parts.log(`FAULT ${fault}: ${line}`);
    parts.journal.add('fault', marker);
  };
  const dropAll = (): void => {
    proxy.drop();
    node.terminateAll();
  };
  const faults: SingleFaults = {
    restart(downtime = parts.restartDowntime, user) {
      if (user !== undefined) {
        // One phone's network goes down: its links are cut and it cannot connect for a while.
        announce('restart', `user ${user}: dropping ${proxy.drop(user)} link(s), refusing it for ${downtime} ms`);
        return proxy.refuseUntil(Date.now() + downtime, user);
      }
      announce('restart', `dropping ${proxy.links()} connection(s), refusing for ${downtime} ms`);
      proxy.refuseUntil(Date.now() + downtime);
      dropAll();
    },
    crash(downtime = parts.restartDowntime) {
      announce('crash', `dropping ${proxy.links()} connection(s), forgetting ${parts.sessions().list().length} session(s), refusing for ${downtime} ms`);
      proxy.refuseUntil(Date.now() + downtime);
      void parts.sessions().forget();
      dropAll();
    },
    blackhole(ms = 30000, user) {
      const n = proxy.blackhole(ms, (cut) => parts.log(`blackhole over: ${cut} silent link(s) cut`), user);
      announce('blackhole', `${n} link(s)${user === undefined ? '' : ` of user ${user}`} go silent for ${ms} ms`);
    },
    refuse(ms) {
      announce('refuse', `new connections refused for ${ms} ms`);
      proxy.refuseUntil(Date.now() + ms);
    },
    stopPong(ms) {
      announce('nopong', `pings unanswered for ${ms} ms`);
      parts.pong.offFor(ms);
    },
    closeAll(code = 1000, reason = '') {
      announce('close', `closing ${node.connections()} connection(s) with ${code}`, `close ${code}`);
      node.closeAll(code, reason);
    },
    run: (name, args) => runSingle(faults, name, args),
  };
  return faults;
}

function runSingle(faults: SingleFaults, name: string, args: FaultArgs): FaultOutcome {
  const problem = faultProblem(name, args, SINGLE_FAULTS);
  if (problem) return { error: problem };
  switch (name) {
    case 'restart': faults.restart(args.ms, args.user); break;
    case 'crash': faults.crash(args.ms); break;
    case 'blackhole': faults.blackhole(args.ms, args.user); break;
    case 'refuse': faults.refuse(args.ms ?? 5000); break;
    case 'nopong': faults.stopPong(args.ms ?? 30000); break;
    case 'close': faults.closeAll(args.code, args.reason); break;
  }
  return { fault: name };
}
