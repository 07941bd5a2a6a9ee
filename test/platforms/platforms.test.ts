/**
 * The same page story on every platform, through `wx-socket-manager/platforms` and each
 * platform's fake: the recorded events must be identical, whatever the platform.
 */
import { WxSocketManager } from '../../src';
import { bytes, DRIVERS, frames } from '../support/platform-story';
import { record, settle, tick, track } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe.each(DRIVERS)('%s: the page story', (_name, makeDriver) => {
  test('open, text and binary frames, server close with a code, reconnect, queued sends, offline/online, hide/show, unload', async () => {
    const d = makeDriver();
    const socket = new WxSocketManager({ url: 'wss://example.test/live', ...d.binding });
    const log = record(socket);

    // A page loads; a message is sent before the socket is open: it waits in the queue.
    socket.onLoad();
    const first = track(socket.send('hello'));
    await settle();
    expect(d.tasks()).toBe(1);
    d.server.open();
    await settle();
    expect(first.status).toBe('resolved');
    expect(frames(d.server.sent())).toEqual(['hello']);

    // Frames both ways, text and binary, as string | ArrayBuffer.
    const received: string[] = [];
    socket.on('message', (m) => received.push(...frames([m])));
    d.server.message('welcome');
    d.server.message(bytes(1, 2, 255));
    const binary = track(socket.send(bytes(7, 8)));
    await settle();
    expect(binary.status).toBe('resolved');
    expect(received).toEqual(['welcome', '<bytes 1,2,255>']);
    expect(frames(d.server.sent())).toEqual(['hello', '<bytes 7,8>']);

    // The server closes with a code: one close event with that code, one reconnect scheduled.
    d.server.close(4001, 'maintenance');
    const queued = [track(socket.send('while-down-1')), track(socket.send('while-down-2'))];
    tick(4999);
    expect(d.tasks()).toBe(1);
    tick(1);
    expect(d.tasks()).toBe(2);
    await settle(1); // the handshake takes a moment (Taro's Promise resolves after native success)
    d.server.open();
    await settle();
    expect(queued.map((q) => q.status)).toEqual(['resolved', 'resolved']);
    expect(frames(d.server.sent())).toEqual(['while-down-1', 'while-down-2']);

    // Offline: the lost link waits, no attempt spent; online: one attempt at once.
    d.setNetwork(false);
    d.server.close(1006, '');
    tick(60000);
    expect(d.tasks()).toBe(2);
    d.setNetwork(true);
    expect(d.tasks()).toBe(3);
    await settle(1);
    d.server.open();

    // Hidden: no heartbeat judged however long; shown: an immediate ping checks the link.
    d.hide();
    tick(120000);
    expect(frames(d.server.sent())).toEqual([]);
    expect(socket.state).toBe('open');
    d.show();
    expect(frames(d.server.sent())).toEqual(['ping']);
    d.server.message('pong');

    // The page unloads: nothing left — no socket, no timer, no platform listener.
    socket.onUnload();
    await settle();
    expect(d.live()).toBe(0);
    expect(d.listeners()).toBe(0);
    expect(socket.diagnostics).toEqual({ timers: 0, listeners: 8, holders: 0, task: false });

    expect(log).toEqual([
      'state:idle>connecting',
      'state:connecting>open',
      'open:0',
      'message:welcome',
      'message:<3 bytes>',
      'state:open>reconnecting',
      'close:4001:maintenance:retry',
      'reconnecting:1:5000',
      'state:reconnecting>open',
      'open:1',
      'state:open>reconnecting',
      'close:1006::retry',
      'state:reconnecting>open',
      'open:0',
      'state:open>closed',
      'close:1000::final',
    ]);
  }, 5000);
});
