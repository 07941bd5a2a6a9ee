/**
 * Behind the real nginx (docs/production.md's block): the heartbeat interval must be below
 * nginx's `proxy_read_timeout`, or nginx cuts idle links. scripts/nginx-heartbeat.ts measures it
 * at the default 10 s heartbeat (the table in docs/production.md); here the same measurement
 * runs scaled down to a 1 s heartbeat. Needs nginx on PATH (`.ci/run` installs it).
 */
import { measureHeartbeat } from '../../scripts/nginx-heartbeat';

test('nginx with proxy_read_timeout equal to the heartbeat interval cuts every idle link; a timeout above it cuts none', async () => {
  const [equal, above] = await Promise.all([
    measureHeartbeat({ readTimeout: '1s', interval: 1000, links: 5, duration: 4000 }),
    measureHeartbeat({ readTimeout: '2s', interval: 1000, links: 5, duration: 4000 }),
  ]);
  // Each of the 5 links is cut about once a second (then reconnects and is cut again).
  expect(equal.cuts).toBeGreaterThanOrEqual(5);
  expect(equal.firstCut).toBeLessThan(2500);
  expect(above.cuts).toBe(0);
}, 30000);
