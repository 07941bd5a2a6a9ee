#!/usr/bin/env node
/** `npm run dev-server -- [flags]` (the `wx-socket-dev-server` bin): `--help` lists every flag and fault. */
import { parseCli } from './cli-args';
import { startDevCluster } from './cluster';
import { DEV_SERVER_DEFAULTS } from './config';
import { startDevServer } from './single';
import { clusterBanner, helpText, singleBanner, USAGE } from './usage';

/** Prints `banner` once started; stops cleanly on SIGINT/SIGTERM; exits 1 if it cannot start. */
function serve<T extends { close(): Promise<void> }>(what: string, started: Promise<T>, banner: (t: T) => string[]): void {
  started.then(
    (t) => {
      for (const line of banner(t)) console.log(line);
      const stop = (): void => void t.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: Error) => {
      console.error(`${what} failed to start: ${err.message}`);
      process.exit(1);
    },
  );
}

const command = parseCli(process.argv.slice(2));
if (command.kind === 'help') {
  console.log(helpText());
} else if (command.kind === 'error') {
  console.error(`wx-socket-dev-server: ${command.message}\n${USAGE}\nRun with --help for every flag and fault.`);
  process.exitCode = 2;
} else if (command.kind === 'cluster') {
  const o = command.options;
  serve('dev cluster', startDevCluster(o), (c) => clusterBanner(c, { textFaults: o.textFaults === true, host: o.host ?? DEV_SERVER_DEFAULTS.host, sessionsOnly: o.sessionsOnly === true }));
} else {
  const o = command.options;
  const shown = { tickInterval: o.tickInterval ?? DEV_SERVER_DEFAULTS.tickInterval, textFaults: o.textFaults === true, host: o.host ?? DEV_SERVER_DEFAULTS.host, sessionsOnly: o.sessionsOnly === true };
  serve('dev server', startDevServer(o), (s) => singleBanner(s, shown));
}
