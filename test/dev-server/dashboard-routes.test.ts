/**
 * The dev server's read-only routes, GET /metrics and GET /dashboard (with its script, style and
 * data): served on the WebSocket port and the control port, never to a foreign Host or Origin,
 * GET/HEAD only, built files only (no CDN); every fault is journaled for the charts' markers;
 * without prom-client the server runs on and /metrics says what to install.
 */
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { httpOf, request } from '../support/http-helpers';

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (): Promise<DevServer> => (server = await startDevServer({ port: 0, controlPort: 0, tickInterval: 0, log: false, restartDowntime: 50 }));

test('/dashboard, its script and style and /metrics answer GET on both ports, self-contained and never cached', async () => {
  const s = await start();
  for (const base of [httpOf(s.url), s.controlUrl]) {
    const page = await request(`${base}/dashboard`, 'GET');
    expect({ status: page.status, type: page.headers['content-type'], cache: page.headers['cache-control'] }).toEqual({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-store' });
    // Everything the page loads comes from the dev server itself.
    const srcs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs).toEqual(['/favicon.svg', '/dashboard/dashboard.css', '/dashboard/dashboard.js']);
    const js = await request(`${base}/dashboard/dashboard.js`, 'GET');
    expect({ status: js.status, type: js.headers['content-type'] }).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(js.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i);
    const css = await request(`${base}/dashboard/dashboard.css`, 'GET');
    expect({ status: css.status, type: css.headers['content-type'] }).toEqual({ status: 200, type: 'text/css; charset=utf-8' });
    const metrics = await request(`${base}/metrics`, 'GET');
    expect({ status: metrics.status, type: metrics.headers['content-type'] }).toEqual({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8' });
    expect(metrics.text).toContain('# TYPE wxsm_links_open gauge');
    const head = await request(`${base}/metrics`, 'HEAD');
    expect({ status: head.status, text: head.text }).toEqual({ status: 200, text: '' });
  }
});

test('the read routes refuse other methods (405, Allow: GET, HEAD), a foreign Host (DNS rebinding) and a foreign Origin', async () => {
  const s = await start();
  for (const base of [httpOf(s.url), s.controlUrl]) {
    for (const route of ['/metrics', '/dashboard', '/dashboard/data']) {
      const post = await request(`${base}${route}`, 'POST');
      expect({ status: post.status, allow: post.headers.allow, body: post.json }).toEqual({ status: 405, allow: 'GET, HEAD', body: { error: '/metrics and /dashboard answer GET only' } });
      const rebound = await request(`${base}${route}`, 'GET', { host: 'evil.example' });
      expect({ status: rebound.status, body: rebound.json }).toEqual({ status: 403, body: { error: '/metrics and /dashboard answer only requests addressed to 127.0.0.1, localhost or [::1]' } });
      const foreign = await request(`${base}${route}`, 'GET', { origin: 'http://evil.example' });
      expect({ status: foreign.status, body: foreign.json }).toEqual({ status: 403, body: { error: '/metrics and /dashboard refuse requests from another origin' } });
    }
    expect((await request(`${base}/dashboard/..%2f..%2fpackage.json`, 'GET')).status).toBe(404);
    expect((await request(`${base}/dashboard/other.js`, 'GET')).status).toBe(404);
  }
});

test('each fault is journaled in /dashboard/data, in order, for the charts to mark', async () => {
  const s = await start();
  s.restart(50);
  s.closeAll(4001, 'bye');
  expect((await request(`${s.controlUrl}/fault/refuse?ms=10`, 'POST')).status).toBe(200);
  expect((await request(`${s.controlUrl}/fault/nosuch`, 'POST')).status).toBe(400);
  const data = (await request(`${s.controlUrl}/dashboard/data`, 'GET')).json as { mode: string; nodes: Array<{ name: string; alive: boolean }>; events: Array<{ kind: string; text: string; t: number }> };
  expect({ mode: data.mode, nodes: data.nodes.map((n) => `${n.name}:${n.alive}`) }).toEqual({ mode: 'single', nodes: ['dev:true'] });
  expect(data.events.map((e) => `${e.kind}:${e.text}`)).toEqual(['fault:restart', 'fault:close 4001', 'fault:refuse']);
  expect(data.events.every((e, i, all) => i === 0 || e.t >= all[i - 1]!.t)).toBe(true);
});

test('without prom-client the dev server still serves, /metrics answers 501 naming npm install prom-client and the dashboard says so', async () => {
  await jest.isolateModulesAsync(async () => {
    jest.doMock('prom-client', () => {
      throw Object.assign(new Error("Cannot find module 'prom-client'"), { code: 'MODULE_NOT_FOUND' });
    });
    const { startDevServer: isolated } = require('../../src/dev-server') as typeof import('../../src/dev-server');
    server = await isolated({ port: 0, controlPort: 0, tickInterval: 0, log: false });
    const metrics = await request(`${server.controlUrl}/metrics`, 'GET');
    const line = '[wx-socket-manager] the dev server\'s /metrics and /dashboard needs the "prom-client" package: npm install prom-client';
    expect({ status: metrics.status, text: metrics.text }).toEqual({ status: 501, text: `${line}\n` });
    expect((await request(`${server.controlUrl}/dashboard/data`, 'GET')).json).toMatchObject({ missing: line });
    jest.dontMock('prom-client');
  });
});
