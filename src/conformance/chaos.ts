/**
 * The chaos run: the kit's own fault proxy in front of the server (src/dev-server/fault-proxy.ts:
 * link kills, a blackhole, refused connects) and a minimal client sending N messages through
 * the test contract's echo while the faults hit. Each must come back exactly once, in order.
 */
import net from 'net';
import tls from 'tls';
import type { ClientOptions } from 'ws';
import { startFaultProxy } from '../dev-server/fault-proxy';
import type { FaultProxy } from '../dev-server/fault-proxy';
import { Mismatch, Skip, expectThat } from './verdicts';
import type { Check, CheckContext } from './check';
import { ChaosClient } from './chaos-client';
import { sleep } from './checks/common';

/** A link silent this long is dead to the chaos client; a blackhole lasts three times as long. */
const DEAD_AFTER = 1000;

type Fault = (proxy: FaultProxy) => void;
const FAULTS: Array<[string, Fault]> = [
  ['link kill', (proxy) => proxy.drop()],
  ['blackhole', (proxy) => proxy.blackhole(DEAD_AFTER * 3)],
  ['refusal', (proxy) => {
    proxy.refuseUntil(Date.now() + 800);
    proxy.drop();
  }],
  ['link kill', (proxy) => proxy.drop()],
];

export const chaos: Check = {
  id: 'chaos',
  rule: 'Guarantee',
  title: 'every message either side sent is delivered exactly once and in order, both ways, across link kills, a blackhole and refused connects (through the kit\'s own fault proxy)',
  session: true,
  needs: ['contract'],
  run: runChaos,
};

async function runChaos(ctx: CheckContext): Promise<string> {
  const n = ctx.options.chaos;
  if (n === 0) throw new Skip('--chaos 0');
  const target = new URL(ctx.options.url);
  const secure = target.protocol === 'wss:';
  const upstream = { host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port) || (secure ? 443 : 80) };
  const proxy = await startFaultProxy('127.0.0.1', 0, () => [upstream]);
  const client = new ChaosClient({ url: ctx.options.url, headers: ctx.options.headers, dial: dialVia(proxy.port, secure, upstream.host), deadAfter: DEAD_AFTER,
    // Each client message makes one echo: keep the server's unacknowledged echoes well below its maxBuffered.
    window: Math.max(1, Math.min(100, Math.floor(ctx.options.maxBuffered / 4))) });
  const tags = Array.from({ length: n }, () => ctx.tag());
  const wanted = new Set(tags);
  const started = Date.now();
  const deadline = started + Math.max(30000, ctx.options.timeout * 6) + n * 10;
  const faults: string[] = [];
  try {
    const chunk = Math.ceil(n / (FAULTS.length + 1));
    await until(() => client.open, deadline, 'a first link with a welcome', client);
    for (let i = 0; i <= FAULTS.length; i++) {
      for (const tag of tags.slice(i * chunk, (i + 1) * chunk)) client.send(tag);
      const fault = FAULTS[i];
      if (!fault) break;
      const links = client.stats.links;
      fault[1](proxy); // while the chunk is in flight

      faults.push(fault[0]);
      await until(() => client.open && client.stats.links > links, deadline, `a new link with a welcome after the ${fault[0]}`, client);
    }
    let scanned = 0;
    let echoes = 0;
    const allBack = (): boolean => {
      for (; scanned < client.delivered.length; scanned++) if (wanted.has(client.delivered[scanned]!)) echoes++;
      return echoes >= n && client.outstanding === 0;
    };
    await until(allBack, deadline, `all ${n} echoes and acks`, client);
  } finally {
    client.stop();
    await proxy.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const echoed = client.delivered.filter((d) => wanted.has(d));
  const { stats } = client;
  const figures = `${n} messages each way in ${seconds.toFixed(1)} s; faults: ${faults.join(', ')}; ${stats.links} links (${stats.deadLinks} found dead by the heartbeat), ${proxy.stats.refused} connects refused; ${stats.resent} client messages sent again; ${stats.duplicates} server messages at or below the hello's rx (must be 0); ${stats.resyncs} lost sessions`;
  ctx.figure('chaos', figures);
  expectThat(client.violations.length === 0, 'no protocol error on any link', () => client.violations.slice(0, 12).join('\n'));
  expectThat(stats.duplicates === 0, 'no server message at or below what the client delivered (rule 3: only messages above rx are sent again)', () => figures);
  expectThat(stats.resyncs === 0, 'no lost session (resumed:false): link faults leave the server\'s store intact', () => `${client.resyncs.join('\n')}\n${figures}`);
  const missing = n - new Set(echoed).size;
  const twice = echoed.length - new Set(echoed).size;
  expectThat(echoed.join() === tags.join(), `each of the ${n} messages echoed exactly once, in the order sent`, () => `${missing} missing, ${twice} twice, ${echoed.length} echoes\n${figures}`);
  return figures;
}

/** Each link's TCP connection goes to the proxy; TLS (wss) still names and verifies the real host. */
function dialVia(proxyPort: number, secure: boolean, host: string): ClientOptions['createConnection'] {
  const dial = (options: tls.ConnectionOptions): net.Socket => {
    if (!secure) return net.connect(proxyPort, '127.0.0.1');
    return tls.connect({ ...options, host: '127.0.0.1', port: proxyPort, servername: net.isIP(host) ? undefined : host, checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert) });
  };
  return dial as unknown as ClientOptions['createConnection'];
}

/** Waits for `cond`; gives up at the deadline, or at once when the run is already lost (a protocol error, a lost session). */
async function until(cond: () => boolean, deadline: number, what: string, client: ChaosClient): Promise<void> {
  while (!cond() && client.violations.length === 0 && client.stats.resyncs === 0) {
    if (Date.now() > deadline) throw new Mismatch(what, `not by the deadline: ${client.delivered.length} server messages delivered, ${client.outstanding} client messages unacknowledged, ${JSON.stringify(client.stats)}`);
    await sleep(10);
  }
}
