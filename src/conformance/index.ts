/** The conformance kit (`wx-socket-conformance`): checks any server against the heartbeat and PROTOCOL.md. */
export { runConformance, CHECKS } from './runner';
export type { ConformanceReport } from './runner';
export { CONFORMANCE_DEFAULTS, parseArgs, resolveOptions } from './options';
export type { ConformanceOptions } from './options';
export type { Check, CheckResult, Evidence, Status } from './check';
export { toJson, toMarkdown, toText } from './report';
