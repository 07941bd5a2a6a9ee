/** What a check is and what it yields (verdicts.ts: how it says FAIL or SKIP). */
import type { ConformanceOptions } from './options';
import type { Probe } from './probe';

export type Status = 'PASS' | 'FAIL' | 'SKIP';

/** On FAIL: what the rule expected and what the server did (frames, closes). */
export interface Evidence {
  expected: string;
  seen: string;
}

export interface CheckResult {
  id: string;
  /** The rule's number and title in PROTOCOL.md, e.g. "Rule 4 Delivery". */
  rule: string;
  /** The rule's words. */
  title: string;
  status: Status;
  /** How long the check ran. */
  ms: number;
  evidence?: Evidence;
  /** Why a check was SKIP. */
  why?: string;
  /** What a PASS measured, when it says more than "PASS". */
  note?: string;
}

/** What a check sees: the options, unique tags for its payloads, links, figures. */
export interface CheckContext {
  readonly options: ConformanceOptions;
  /** A payload no other check and no other run uses: the kit finds its own frames among a server's other pushes by it. */
  tag(): string;
  /** A new link as the first user (`b`: the second user of --header-b / --url-b). Closed when the check ends. */
  open(user?: 'a' | 'b'): Promise<Probe>;
  /** Every link of the run so far (the whole-run checks read them). */
  readonly history: readonly Probe[];
  /** Records a figure for the report (ms, counts). */
  figure(name: string, value: number | string): void;
}

export interface Check {
  /** Stable id for --only and the JSON report, e.g. "rule4.duplicate". */
  id: string;
  rule: string;
  title: string;
  /** Runs only with --session. */
  session: boolean;
  /** Checks that must PASS first (else this one is SKIP, naming them). */
  needs?: string[];
  /** Mostly waiting (a ttl, a timeout): runs beside the others instead of holding them up. */
  background?: boolean;
  /** Resolves on PASS (optionally with a note); throws `Mismatch` for FAIL, `Skip` for SKIP. */
  run(ctx: CheckContext): Promise<string | void>;
}
