/**
 * One story, every platform: each driver puts a platform's fake behind its binding and
 * exposes the same server-side controls, so `runStory` proves the manager cannot tell
 * the platforms apart.
 */
import { fromAlipay, fromBaidu, fromBrowser, fromDouyin, fromQQ, fromTaro, fromUni, fromWx } from '../../src/platforms';
import type { PlatformBinding } from '../../src/platforms';
import {
  createFakeBrowser,
  createFakeMy,
  createFakeQQ,
  createFakeSwan,
  createFakeTaro,
  createFakeTt,
  createFakeUni,
  createFakeWx,
} from '../../src/testing';
import type { SocketData } from '../../src';

/** What a test needs from a platform's fake, whatever its own driver names are. */
export interface Driver {
  binding: PlatformBinding;
  /** Sockets created so far. */
  tasks(): number;
  /** Sockets neither closed nor closing. */
  live(): number;
  /** The server side of the newest socket. */
  server: {
    open(): void;
    message(data: SocketData): void;
    close(code: number, reason: string): void;
    /** Frames the server received on the newest socket. */
    sent(): SocketData[];
  };
  setNetwork(online: boolean): void;
  hide(): void;
  show(): void;
  /** Network/app listeners registered on the platform object. */
  listeners(): number;
}

interface WxStyleFake {
  tasks: unknown[];
  lastTask: { serverOpen(): unknown; serverMessage(d: SocketData): unknown; serverClose(c: number, r: string): unknown; sent: SocketData[] };
  liveTasks(): unknown[];
  setNetwork(online: boolean): void;
  hideApp(): void;
  showApp(): void;
  listenerCount(): number;
}

function wxStyle(fake: WxStyleFake, binding: PlatformBinding): Driver {
  return {
    binding,
    tasks: () => fake.tasks.length,
    live: () => fake.liveTasks().length,
    server: {
      open: () => void fake.lastTask.serverOpen(),
      message: (data) => void fake.lastTask.serverMessage(data),
      close: (code, reason) => void fake.lastTask.serverClose(code, reason),
      sent: () => fake.lastTask.sent,
    },
    setNetwork: (online) => fake.setNetwork(online),
    hide: () => fake.hideApp(),
    show: () => fake.showApp(),
    listeners: () => fake.listenerCount(),
  };
}

export const DRIVERS: Array<[string, () => Driver]> = [
  ['wx', () => { const f = createFakeWx(); return wxStyle(f, fromWx(f)); }],
  ['QQ', () => { const f = createFakeQQ(); return wxStyle(f, fromQQ(f)); }],
  ['Taro', () => { const f = createFakeTaro(); return wxStyle(f, fromTaro(f)); }],
  ['Taro H5', () => { const f = createFakeTaro({ h5: true }); return wxStyle(f, fromTaro(f)); }],
  ['uni-app', () => { const f = createFakeUni(); return wxStyle(f, fromUni(f)); }],
  ['uni-app H5', () => { const f = createFakeUni({ h5: true }); return wxStyle(f, fromUni(f)); }],
  ['Alipay', () => { const f = createFakeMy(); return wxStyle(f, fromAlipay(f)); }],
  ['Douyin', () => { const f = createFakeTt(); return wxStyle(f, fromDouyin(f)); }],
  ['Baidu', () => { const f = createFakeSwan(); return wxStyle(f, fromBaidu(f)); }],
  ['browser', () => {
    const f = createFakeBrowser();
    return {
      binding: fromBrowser(f),
      tasks: () => f.sockets.length,
      live: () => f.liveSockets().length,
      server: {
        open: () => void f.lastSocket.serverOpen(),
        message: (data) => void f.lastSocket.serverMessage(data),
        close: (code, reason) => void f.lastSocket.serverClose(code, reason),
        sent: () => f.lastSocket.sent,
      },
      setNetwork: (online) => f.setOnline(online),
      hide: () => f.hide(),
      show: () => f.show(),
      listeners: () => f.pageListenerCount(),
    };
  }],
];

/** Frames as comparable text: binary as `<bytes 1,2,3>`. */
export function frames(list: SocketData[]): string[] {
  return list.map((d) => (typeof d === 'string' ? d : `<bytes ${Array.from(new Uint8Array(d)).join(',')}>`));
}

export function bytes(...values: number[]): ArrayBuffer {
  return new Uint8Array(values).buffer;
}
