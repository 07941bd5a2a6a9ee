/** The dev server's log: one line per event, timestamped; never a URL query, header or token. */

export type Log = (line: string) => void;

/** `false`: silent; a function: where lines go; default: console.log. */
export function makeLog(option: ((line: string) => void) | false | undefined): Log {
  if (option === false) return () => undefined;
  const write = option ?? ((line: string) => console.log(line));
  return (line) => write(`[dev-server] ${new Date().toISOString().slice(11, 23)} ${line}`);
}

/** A URL fit to print: no user name, password or query (a Redis URL may carry a password in either). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@').replace(/\?.*$/, '');
}
