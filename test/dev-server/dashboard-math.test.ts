/** The dashboard's numbers, from the samples /dashboard/data gives: rates, resets, quantiles, per node. */
import type { DashboardData, NodeSample } from '../../src/dev-server/dashboard-data';
import { bucketIncrease, columns, increase, quantile } from '../../src/h5/dashboard-math';

const LE = [0.01, 0.1, 1];

/** A node's sample with these cumulative counts (the rest 0). */
function node(name: string, s: Partial<NonNullable<NodeSample['series']>> | undefined): NodeSample {
  if (!s) return { name, alive: false };
  return {
    name,
    alive: true,
    series: {
      links: 0, sessions: 0, users: 0, buffered: 0, unacked: 0, in: 0, out: 0, resentIn: 0, resentOut: 0,
      resumed: 0, resyncs: 0, takeovers: 0, overflows: 0, closes: {}, ack: { le: LE, counts: [0, 0, 0, 0] }, ...s,
    },
  };
}
const at = (seconds: number, ...nodes: NodeSample[]): DashboardData => ({ t: seconds * 1000, mode: 'cluster', nodes, events: [] });

test('a counter that went down counts from 0, as after a node restart', () => {
  expect([increase(10, 25), increase(25, 4), increase(undefined, 4), increase(4, undefined)]).toEqual([15, 4, null, null]);
});

test('quantiles interpolate inside the bucket they fall in, like histogram_quantile', () => {
  // 10 observations: 4 ≤ 10 ms, 4 more ≤ 100 ms, 2 more ≤ 1 s.
  const b = { le: LE, counts: [4, 8, 10, 10] };
  expect(quantile(0.2, b)).toBeCloseTo(0.005);
  expect(quantile(0.5, b)).toBeCloseTo(0.01 + 0.09 * 0.25);
  expect(quantile(0.99, b)).toBeCloseTo(0.1 + 0.9 * 0.95);
  expect(quantile(0.5, { le: LE, counts: [0, 0, 0, 0] })).toBeNull();
  // Beyond the last bound: the highest finite bound.
  expect(quantile(0.99, { le: LE, counts: [0, 0, 0, 5] })).toBe(1);
});

test('histogram windows subtract the earlier sample, and a reset keeps the later one whole', () => {
  expect(bucketIncrease({ le: LE, counts: [1, 2, 3, 3] }, { le: LE, counts: [2, 5, 6, 7] })).toEqual({ le: LE, counts: [1, 3, 3, 4] });
  expect(bucketIncrease({ le: LE, counts: [5, 5, 5, 5] }, { le: LE, counts: [1, 1, 1, 1] })).toEqual({ le: LE, counts: [1, 1, 1, 1] });
});

test('columns: gauges per node with gaps while a node is down, rates summed over the nodes scraped twice', () => {
  const samples = [
    at(100, node('n1', { links: 3, sessions: 3, in: 0, out: 0, closes: {} }), node('n2', { links: 2, sessions: 2, in: 0 })),
    at(101, node('n1', { links: 4, sessions: 4, in: 10, out: 20, closes: { 1006: 1 } }), node('n2', undefined)),
    at(103, node('n1', { links: 5, sessions: 5, in: 30, out: 60, closes: { 1006: 1 } }), node('n2', { links: 1, sessions: 1, in: 3, resumed: 1 })),
  ];
  const c = columns(samples);
  expect(c.t).toEqual([100, 101, 103]);
  expect(c.links).toEqual({ n1: [3, 4, 5], n2: [2, null, 1] });
  expect(c.linksTotal).toEqual([5, 4, 6]);
  // n2 was down at 101, so its 3 messages since its restart are not a rate of 101→103.
  expect(c.in).toEqual([null, 10, 10]);
  expect(c.out).toEqual([null, 20, 20]);
  expect(c.closes).toEqual({ 1006: [null, 1, 0] });
  expect(c.resumed).toEqual([null, 0, 0]);
});

test('ack latency p50 and p99 come from the observations of the last window, in ms', () => {
  const samples = [
    at(1, node('n1', { ack: { le: LE, counts: [0, 0, 0, 0] } })),
    at(2, node('n1', { ack: { le: LE, counts: [100, 100, 100, 100] } })),
    at(3, node('n1', { ack: { le: LE, counts: [100, 100, 200, 200] } })),
  ];
  const c = columns(samples, 1);
  expect(c.p50[0]).toBeNull();
  expect(c.p50[1]).toBeCloseTo(5);
  expect(c.p50[2]).toBeCloseTo(550);
  expect(c.p99[2]).toBeCloseTo(991);
});
