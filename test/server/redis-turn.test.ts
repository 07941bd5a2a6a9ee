/**
 * redisStore's round trips (redis-turn.ts): every command and script issued in one event-loop
 * turn leaves as ONE pipeline per Redis node, each answering for itself; a script Redis forgot
 * is sent again in full; a client without pipelines gets each command on its own.
 */
import type { RedisClient, RedisPipeline } from '../../src/server/redis-client';
import { makeScript } from '../../src/server/redis-scripts';
import { keySlot } from '../../src/server/redis-slots';
import { RedisTurn } from '../../src/server/redis-turn';

type Cmd = Array<string | number>;

/** A fake ioredis client: records every pipeline and lone call, answers with `answer`. */
function fakeClient(answer: (cmd: Cmd) => unknown, opts: { pipelines?: boolean; slots?: string[][] } = {}) {
  const pipelines: Cmd[][] = [];
  const alone: Cmd[] = [];
  const reply = (cmd: Cmd): [Error | null, unknown] => {
    const v = answer(cmd);
    return v instanceof Error ? [v, undefined] : [null, v];
  };
  const client = {
    call: (...cmd: Cmd) => {
      alone.push(cmd);
      const [err, v] = reply(cmd);
      return err ? Promise.reject(err) : Promise.resolve(v);
    },
    duplicate: () => { throw new Error('not used'); },
    quit: () => Promise.resolve(),
  } as unknown as RedisClient;
  if (opts.pipelines !== false) {
    client.pipeline = (): RedisPipeline => {
      const cmds: Cmd[] = [];
      pipelines.push(cmds);
      return { call: (...cmd: Cmd) => cmds.push(cmd), exec: () => Promise.resolve(cmds.map(reply)) };
    };
  }
  if (opts.slots) Object.assign(client, { isCluster: true, slots: opts.slots });
  return { client, pipelines, alone };
}

const SCRIPT = makeScript('return 1');

describe('one Redis round trip per turn', () => {
  test('commands and scripts issued in one turn leave in one pipeline, in order, each answered on its own', async () => {
    const { client, pipelines, alone } = fakeClient((cmd) => (cmd[1] === 'bad' ? new Error('WRONGTYPE bad') : `ok:${cmd.join(' ')}`));
    const turn = new RedisTurn(client);
    const a = turn.call('k1', 'GET', 'k1');
    const b = turn.script(SCRIPT, ['k2'], ['x']);
    const c = turn.call('bad', 'GET', 'bad');
    const d = turn.call('k3', 'HGETALL', 'k3');
    expect(pipelines).toEqual([]); // nothing leaves before the turn ends
    await expect(a).resolves.toBe('ok:GET k1');
    await expect(b).resolves.toBe(`ok:EVALSHA ${SCRIPT.sha} 1 k2 x`);
    await expect(c).rejects.toThrow('WRONGTYPE bad');
    await expect(d).resolves.toBe('ok:HGETALL k3');
    expect(pipelines).toEqual([[['GET', 'k1'], ['EVALSHA', SCRIPT.sha, 1, 'k2', 'x'], ['GET', 'bad'], ['HGETALL', 'k3']]]);
    expect(alone).toEqual([]);
  });

  test('the next turn is the next round trip', async () => {
    const { client, pipelines } = fakeClient(() => 1);
    const turn = new RedisTurn(client);
    await Promise.all([turn.call('a', 'GET', 'a'), turn.call('b', 'GET', 'b')]);
    await Promise.all([turn.call('c', 'GET', 'c'), turn.call('d', 'GET', 'd')]);
    expect(pipelines).toEqual([[['GET', 'a'], ['GET', 'b']], [['GET', 'c'], ['GET', 'd']]]);
  });

  test('a script Redis lost (NOSCRIPT after a restart) is sent again in full and answers', async () => {
    const { client, alone } = fakeClient((cmd) => (cmd[0] === 'EVALSHA' ? new Error('NOSCRIPT No matching script') : 'ran'));
    const turn = new RedisTurn(client);
    const [r] = await Promise.all([turn.script(SCRIPT, ['k'], ['v']), turn.call('x', 'GET', 'x')]);
    expect(r).toBe('ran');
    expect(alone).toEqual([['EVAL', SCRIPT.lua, 1, 'k', 'v']]);
  });

  test('a client without pipelines gets each command on its own', async () => {
    const { client, alone } = fakeClient(() => 'v', { pipelines: false });
    const turn = new RedisTurn(client);
    await expect(Promise.all([turn.call('a', 'GET', 'a'), turn.call('b', 'GET', 'b')])).resolves.toEqual(['v', 'v']);
    expect(alone).toEqual([['GET', 'a'], ['GET', 'b']]);
  });

  test('on a Cluster, one pipeline per node serving the keys', async () => {
    const slots: string[][] = [];
    const [x, y, z] = ['{a}:st', '{b}:st', '{c}:st'];
    slots[keySlot(x)] = ['n1:6379'];
    slots[keySlot(y)] = ['n2:6379'];
    slots[keySlot(z)] = ['n1:6379'];
    const { client, pipelines, alone } = fakeClient(() => 1, { slots });
    const turn = new RedisTurn(client);
    await Promise.all([turn.call(x, 'GET', x), turn.call(y, 'GET', y), turn.call(z, 'GET', z), turn.call(y, 'TTL', y)]);
    expect(pipelines).toEqual([[['GET', x], ['GET', z]], [['GET', y], ['TTL', y]]]);
    expect(alone).toEqual([]);
  });
});
