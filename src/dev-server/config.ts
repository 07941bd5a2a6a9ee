/** startDevServer's options with their defaults, checked (a TypeError names a bad one). */
import { typeError } from '../errors';
import type { DevServerOptions } from './types';

export interface DevServerConfig {
  port: number;
  host: string;
  controlPort: number;
  tickInterval: number;
  restartDowntime: number;
  sessionTtl: number;
  textFaults: boolean;
  sessionsOnly: boolean;
}

export const DEV_SERVER_DEFAULTS = Object.freeze({ port: 8090, host: '127.0.0.1', tickInterval: 3000, restartDowntime: 1000, sessionTtl: 120000 });

function whole(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw typeError(`startDevServer: option "${name}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function devServerConfig(options: DevServerOptions): DevServerConfig {
  if (options.host !== undefined && (typeof options.host !== 'string' || !options.host)) throw typeError('startDevServer: option "host" must be a host name or address');
  for (const name of ['textFaults', 'sessionsOnly'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw typeError(`startDevServer: option "${name}" must be a boolean`);
  }
  if (options.log !== undefined && options.log !== false && typeof options.log !== 'function') throw typeError('startDevServer: option "log" must be a function or false');
  const port = whole('port', options.port, DEV_SERVER_DEFAULTS.port, 0, 65535);
  return {
    port,
    host: options.host ?? DEV_SERVER_DEFAULTS.host,
    controlPort: whole('controlPort', options.controlPort, port === 0 ? 0 : port + 1, 0, 65535),
    tickInterval: whole('tickInterval', options.tickInterval, DEV_SERVER_DEFAULTS.tickInterval, 0, 3600000),
    restartDowntime: whole('restartDowntime', options.restartDowntime, DEV_SERVER_DEFAULTS.restartDowntime, 0, 3600000),
    sessionTtl: whole('sessionTtl', options.sessionTtl, DEV_SERVER_DEFAULTS.sessionTtl, 1, 86400000),
    textFaults: options.textFaults ?? false,
    sessionsOnly: options.sessionsOnly ?? false,
  };
}
