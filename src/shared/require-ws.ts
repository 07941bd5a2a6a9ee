/**
 * Optional peer dependencies (`ws`, `prom-client`), required only when a feature needs them:
 * the package, or one line saying what to install (never a require stack).
 */
export function requirePeer(pkg: string, who: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg);
  } catch (err) {
    const named = new RegExp(`['"]${pkg.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}['"]`);
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND' || !named.test(String((err as Error).message))) throw err;
    throw new Error(`[wx-socket-manager] ${who} needs the "${pkg}" package: npm install ${pkg}`);
  }
}

/** `require('ws')` for the Node entries. */
export function requireWs(entry: string): unknown {
  return requirePeer('ws', entry);
}
