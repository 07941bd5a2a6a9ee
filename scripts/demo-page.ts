/**
 * The demo page (demo-miniprogram/pages/index) under miniprogram-simulate, its wx.connectSocket
 * backed by real sockets (createWsConnectSocket), with a timeline line per manager event.
 */
import path from 'path';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import type { WxSocketManager, WxSocketOptions } from 'wx-socket-manager';
import { say, secs } from './demo-console';
import { installDom, resolveMiniprogramNpm } from './miniprogram-env';

const demoRoot = path.resolve(__dirname, '../../demo-miniprogram');

interface SimComp {
  instance: { onLoad(): void; onUnload(): void; onInput(e: { detail: { value: string } }): void; onSend(): void };
  data: Record<string, unknown>;
  querySelector(selector: string): (SimComp & { dom: { textContent: string | null }; dispatchEvent(name: string): void }) | undefined;
  attach(parent: unknown): void;
  detach(): void;
}

export interface DemoPage {
  page: SimComp;
  socket: WxSocketManager;
  /** The socket-status banner's text, with " [重试]" when its retry button shows. */
  banner(): string;
  /** Types `text` into the page and taps send. */
  send(text: string): void;
  /** wx.connectSocket calls so far. */
  attempts(): number;
  /** When each event (or error code) happened, in ms since the epoch. */
  at: Record<string, number[]>;
  pongs: number[];
  /** When the last frame (message or pong) arrived. */
  lastFrameAt(): number;
  /** Whether each pong gets a timeline line. */
  printPongs: boolean;
  /** Listeners the timeline added (not the page's). */
  ownListeners: number;
}

/** A fake wx whose connectSocket opens real sockets and counts the calls. */
function installWx(serverUrl: string, timing: Partial<WxSocketOptions>): () => number {
  const storage: Record<string, unknown> = { devServerUrl: serverUrl, demoTiming: timing };
  let made = 0;
  const connect = createWsConnectSocket({ closeTimeout: 300 });
  (globalThis as Record<string, unknown>).wx = {
    connectSocket: (o: Parameters<typeof connect>[0]) => (made++, connect(o)),
    getStorageSync: (key: string) => storage[key] ?? '',
    setStorageSync: (key: string, value: unknown) => void (storage[key] = value),
  };
  return () => made;
}

function renderPage(): SimComp {
  installDom();
  resolveMiniprogramNpm(demoRoot);
  const simulate = require('miniprogram-simulate') as { load(p: string, tag: string, o: object): string; render(id: string): SimComp };
  const pageId = simulate.load(path.join(demoRoot, 'pages/index/index'), 'page', {
    rootPath: demoRoot,
    usingComponents: { 'socket-status': '/miniprogram_npm/wx-socket-manager/socket-status/index' },
  });
  const page = simulate.render(pageId);
  const documentRef = (globalThis as unknown as { document: { createElement(t: string): unknown } }).document;
  page.attach(documentRef.createElement('parent-wrapper'));
  return page;
}

export function loadDemoPage(serverUrl: string, timing: Partial<WxSocketOptions>): DemoPage {
  const attempts = installWx(serverUrl, timing);
  const page = renderPage();
  const { socket } = require(path.join(demoRoot, 'utils/socket.js')) as { socket: WxSocketManager };
  const banner = (): string => {
    const status = page.querySelector('#status');
    const text = status?.querySelector('.socket-status__text')?.dom.textContent ?? '';
    return `${text}${status?.querySelector('.socket-status__retry') ? ' [重试]' : ''}`;
  };
  let lastFrame = Date.now();
  const demo: DemoPage = {
    page,
    socket,
    banner,
    attempts,
    send(text) {
      page.instance.onInput({ detail: { value: text } });
      page.instance.onSend();
    },
    at: {},
    pongs: [],
    lastFrameAt: () => lastFrame,
    printPongs: false,
    ownListeners: 0,
  };
  timeline(demo, (t) => (lastFrame = t));
  demo.ownListeners = socket.diagnostics.listeners;
  return demo;
}

/** One line per manager event; the banner's text on its own line when it changes. */
function timeline(demo: DemoPage, frameAt: (t: number) => void): void {
  const { socket, at } = demo;
  const mark = (name: string): number => ((at[name] ??= []).push(Date.now()), Date.now());
  const line = (event: string, detail = ''): void =>
    say(`${secs()}  ${socket.state.padEnd(12)} ${`attempt ${socket.attempt}/${socket.maxAttempts}`.padEnd(14)} ${event.padEnd(16)} ${detail}`);
  // The banner re-renders after our listeners run.
  let shown = '';
  const showBanner = (): void => {
    setImmediate(() => {
      const now = demo.banner();
      if (now !== shown) say(`${secs()}  ${''.padEnd(12)} ${''.padEnd(14)} ${'banner'.padEnd(16)} ${(shown = now)}`);
    });
  };
  socket.on('state', (e) => (line('state', `${e.previous} → ${e.state}`), showBanner()));
  socket.on('open', (e) => (mark('open'), line('open', `after ${e.attempt} reconnect attempt(s)`)));
  socket.on('close', (e) => (mark('close'), line('close', `code ${e.code}${e.reason ? ` "${e.reason}"` : ''}, ${e.willReconnect ? 'will reconnect' : 'final'}`)));
  socket.on('error', (e) => (mark(e.code), line('error', e.code)));
  socket.on('reconnecting', (e) => (mark('reconnecting'), line('reconnecting', `attempt ${e.attempt} in ${e.delay} ms`), showBanner()));
  socket.on('reconnect-failed', (e) => (mark('reconnect-failed'), line('reconnect-failed', `gave up after ${e.attempts} attempts`), showBanner()));
  socket.on('pong', (e) => {
    frameAt(Date.now());
    demo.pongs.push(e.rtt);
    if (demo.printPongs) line('pong', `RTT ${e.rtt} ms`);
  });
  socket.on('message', () => frameAt(Date.now()));
}
