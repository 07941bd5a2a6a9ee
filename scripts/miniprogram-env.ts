/**
 * Runs mini-program code in plain Node, the way `npm run demo` needs it: a jsdom window for
 * miniprogram-simulate, and `require('<npm package>')` from mini-program files resolved into
 * `miniprogram_npm/` exactly as the mini-program runtime does after "build npm".
 */
import fs from 'fs';
import Module from 'module';
import path from 'path';

export function installDom(): void {
  const { JSDOM } = require('jsdom') as { JSDOM: new (html: string) => { window: Record<string, unknown> } };
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  const g = globalThis as Record<string, unknown>;
  g.window = dom.window;
  for (const key of ['document', 'Element', 'HTMLElement', 'Node', 'Event', 'CustomEvent', 'MutationObserver', 'navigator']) {
    if (!(key in g) || key === 'document' || key === 'Event' || key === 'CustomEvent') g[key] = dom.window[key];
  }
}

/** `require('x')` from a file under `root` → `root/miniprogram_npm/x/index.js` when that exists. */
export function resolveMiniprogramNpm(root: string): void {
  const M = Module as unknown as { _resolveFilename(request: string, parent: { filename?: string } | undefined, ...rest: unknown[]): string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    if (parent?.filename?.startsWith(root + path.sep) && !request.startsWith('.') && !path.isAbsolute(request)) {
      const candidate = path.join(root, 'miniprogram_npm', request);
      for (const file of [path.join(candidate, 'index.js'), `${candidate}.js`]) {
        if (fs.existsSync(file)) return file;
      }
    }
    return original.call(this, request, parent, ...rest);
  };
}
