/** How a check says FAIL (with evidence) or SKIP (with why): thrown, caught by the runner. */

/** A FAIL: the rule expected one thing, the server did another. */
export class Mismatch extends Error {
  constructor(readonly expected: string, readonly seen: string) {
    super(`expected ${expected}; seen ${seen}`);
  }
}

/** The check cannot run against this server or with these options; `why` says what would make it run. */
export class Skip extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** Throws a `Mismatch` unless `ok`. */
export function expectThat(ok: boolean, expected: string, seen: () => string): void {
  if (!ok) throw new Mismatch(expected, seen());
}
