/** `require('ws')` for the Node entries, or one line saying what to install (never a require stack). */
export function requireWs(entry: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('ws');
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND' || !/['"]ws['"]/.test(String((err as Error).message))) throw err;
    throw new Error(`[wx-socket-manager] ${entry} needs the "ws" package: npm install ws`);
  }
}
