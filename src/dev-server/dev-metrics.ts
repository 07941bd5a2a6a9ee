/**
 * The dev server's metrics: each dev node's prom-client Registry (when prom-client, an optional
 * peer dependency, is installed), and what `/metrics` and `/dashboard/data` make of the nodes'
 * scrapes.
 */
import { requirePeer } from '../shared/require-ws';
import { dashboardData } from './dashboard-data';
import type { DashboardData, MetricJson, NodeScrape } from './dashboard-data';
import type { Journal } from './journal';
import type { MetricsRegistry } from './sessions';

export type DevRegistry = { registry: MetricsRegistry; missing?: undefined } | { registry?: undefined; missing: string };

/** A new Registry, or the one line saying what to install (the dev server runs on without metrics). */
export function devRegistry(): DevRegistry {
  try {
    const prom = requirePeer('prom-client', "the dev server's /metrics and /dashboard") as typeof import('prom-client');
    return { registry: new prom.Registry() };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

/** Every node's series as Prometheus text, each value labelled with its node. */
export async function metricsText(nodes: NodeScrape[]): Promise<string> {
  const prom = requirePeer('prom-client', "the dev server's /metrics") as typeof import('prom-client');
  const labelled: MetricJson[][] = nodes.map((n) => (n.metrics ?? []).map((m) => ({
    ...m,
    values: m.values.map((v) => ({ ...v, labels: { ...v.labels, node: n.name } })),
  })));
  return prom.AggregatorRegistry.aggregate(labelled as unknown as Parameters<typeof prom.AggregatorRegistry.aggregate>[0]).metrics();
}

/** What the read routes show. */
export interface DashboardSource {
  /** Prometheus text, or why there is none. */
  metrics(): Promise<{ text: string } | { missing: string }>;
  data(): Promise<DashboardData>;
}

/** The read routes' source over `scrape` (every node, alive or not) and the journal. */
export function dashboardSource(mode: DashboardData['mode'], scrape: () => Promise<NodeScrape[]>, journal: Journal, missing?: string): DashboardSource {
  return {
    async metrics() {
      return missing ? { missing } : { text: await metricsText(await scrape()) };
    },
    async data() {
      return dashboardData(Date.now(), mode, await scrape(), journal.list(), missing);
    },
  };
}
