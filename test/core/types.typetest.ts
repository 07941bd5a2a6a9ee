/**
 * Type tests: checked by `npm run typecheck` (tsc --noEmit), never run.
 * Each @ts-expect-error must be an error, or tsc fails.
 */
import { WxSocketManager, SocketError } from '../../src';
import type { SocketErrorCode, SocketState, SocketStats, SocketStatus, WxSocketEvents, WxSocketOptions } from '../../src';
import { loadPage } from '../../src/testing';
import type { TestPage } from '../../src/testing';

declare const socket: WxSocketManager;

socket.on('open', (e) => {
  const n: number = e.attempt;
  void n;
});
socket.on('message', (m) => {
  const data: string | ArrayBuffer = m;
  void data;
});
socket.on('error', (e) => {
  const code: SocketErrorCode = e.code;
  const err: SocketError = e;
  void code, err;
});
socket.on('state', (e) => {
  const s: SocketState = e.state;
  void s;
});
socket.on('close', (e) => {
  const will: boolean = e.willReconnect;
  void will;
});

// @ts-expect-error unknown event
socket.on('nope', () => undefined);
// @ts-expect-error wrong payload type: open has no `data`
socket.on('open', (e: { data: string }) => void e);
// @ts-expect-error message is string | ArrayBuffer, not number
socket.on('message', (m: number) => void m);
// @ts-expect-error send takes string | ArrayBuffer
void socket.send(123);
// @ts-expect-error send takes string | ArrayBuffer, not a typed array
void socket.send(new Uint8Array(1));
// @ts-expect-error state is read-only
socket.state = 'open';
// @ts-expect-error close code is a number
socket.close('1000');

const ok: WxSocketOptions = {
  url: async () => 'wss://a.test/?token=t',
  header: () => ({ authorization: 'x' }),
  reconnect: { maxAttempts: 3 },
  heartbeat: false,
  queue: { max: 10 },
  shouldReconnect: ({ code }) => code !== 4001,
};
void ok;
// @ts-expect-error url is required
const noUrl: WxSocketOptions = {};
// @ts-expect-error reconnect takes false/true or an object
const badReconnect: WxSocketOptions = { url: 'wss://a.test', reconnect: 3 };
// @ts-expect-error unknown option
const typo: WxSocketOptions = { url: 'wss://a.test', heartBeat: false };
void noUrl, badReconnect, typo;

// socket.stats: a snapshot of numbers; rtt is undefined before the first pong.
const stats: SocketStats = socket.stats;
const counted: number = stats.reconnects + stats.sent + stats.received + stats.queued;
const rtt: number | undefined = stats.rtt;
void counted, rtt;
// @ts-expect-error rtt may be undefined
const rttNumber: number = socket.stats.rtt;
// @ts-expect-error stats is read-only
socket.stats = stats;
void rttNumber;

type OpenPayload = WxSocketEvents['open'];
const payload: OpenPayload = { attempt: 0 };
void payload;

// The socket-status banner after selectComponent (miniprogram-api-typings types it as loosely as `any`).
declare const pageThis: { selectComponent(selector: string): any };
const banner = pageThis.selectComponent('#status') as SocketStatus;
banner.bind(socket);
const bannerText: string = banner.data.text;
const showsRetry: boolean = banner.data.showRetry;
void bannerText, showsRetry;
// @ts-expect-error bind takes a WxSocketManager, not a URL
banner.bind('wss://example.com');
// @ts-expect-error the banner has no connect(): bind a manager instead
banner.connect();

// loadPage: page data typed by the caller; the page's own methods are open.
const chat: TestPage<{ messages: string[] }> = loadPage('/abs/pages/chat/index', { query: { room: '1' } });
const first: string | undefined = chat.data.messages[0];
chat.instance.setData({ 'messages[0]': 'x' });
void first;
// @ts-expect-error query values are strings, as in a mini-program
loadPage('/abs/pages/chat/index', { query: { room: 1 } });
// @ts-expect-error data is read-only: change it with setData
chat.instance.data = { messages: [] };
