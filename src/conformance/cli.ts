#!/usr/bin/env node
/** `wx-socket-conformance <ws-url> [--session] …`: exit 0 only when no check FAILs; 2 on a usage mistake. */
import fs from 'fs';
import { USAGE, UsageError, parseArgs, printableUrl, resolveOptions } from './options';
import { textHeader, textLine, textSummary, toJson, toMarkdown } from './report';
import { runConformance, selectChecks } from './runner';

const usage = (err: Error): number => {
  process.stderr.write(`wx-socket-conformance: ${err.message.replace(/^\[wx-socket-manager\] conformance: /, '')}\n\n${USAGE}\n`);
  return 2;
};

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let given: ReturnType<typeof parseArgs>;
  try {
    given = parseArgs(argv);
    selectChecks(resolveOptions(given));
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    return usage(err);
  }
  const json = given.json === true;
  if (!json) process.stdout.write(textHeader(printableUrl(given.url), given.session === true));
  let report;
  try {
    report = await runConformance(given, (r) => json || process.stdout.write(textLine(r)));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  if (given.report) fs.writeFileSync(given.report, toMarkdown(report));
  process.stdout.write(json ? toJson(report) : textSummary(report));
  return report.summary.fail === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
