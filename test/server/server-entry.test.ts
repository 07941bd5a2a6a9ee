import { execFileSync } from 'child_process';
import path from 'path';
import { ROOT } from '../support/paths';

test('wx-socket-manager/server loads by name in plain Node and starts, serves and stops', () => {
  const script = `
    const server = require('wx-socket-manager/server');
    const s = server.createSessionServer({ port: 0 });
    s.ready.then(() => s.close()).then(() => process.stdout.write(JSON.stringify({ exports: Object.keys(server).sort(), port: s.port > 0 })));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
  // Other stores (redisStore) join this entry too.
  expect(out).toEqual({ exports: expect.arrayContaining(['SESSION_DEFAULTS', 'ServerSession', 'SessionHub', 'createSessionServer', 'memoryStore']), port: true });
});
