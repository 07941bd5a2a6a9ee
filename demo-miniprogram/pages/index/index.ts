/**
 * The demo page: connect on onLoad, close on onUnload, a message log, a send box, the
 * socket-status banner, and buttons that ask the dev server to inject each fault.
 * Written with Component() so the simulator (and `npm run demo`) can load it.
 */
import { socket } from '../../utils/socket';
import type { SocketData } from 'wx-socket-manager';

interface LogLine {
  id: number;
  kind: 'in' | 'out' | 'info' | 'error';
  text: string;
}

const MAX_LINES = 50;
let nextId = 1;

/** Faults the dev server understands, sent as text over the socket itself. */
export const FAULTS: Record<string, string> = {
  restart: 'fault:restart 2000',
  blackhole: 'fault:blackhole 30000',
  down: 'fault:restart 90000',
  nopong: 'fault:nopong 30000',
  close: 'fault:close 4001 auth revoked',
};

interface PageThis {
  data: { draft: string; lines: LogLine[]; sent: number; received: number };
  setData(data: Record<string, unknown>): void;
  selectComponent(selector: string): { bind(m: typeof socket): void } | null;
  offs?: Array<() => void>;
  addLine(kind: LogLine['kind'], text: string): void;
  send(text: string): Promise<void>;
}

Component({
  data: {
    draft: '',
    lines: [] as LogLine[],
    sent: 0,
    received: 0,
  },
  methods: {
    onLoad(this: PageThis) {
      this.offs = [
        socket.on('message', (data: SocketData) => {
          this.setData({ received: this.data.received + 1 });
          this.addLine('in', typeof data === 'string' ? data : `<${data.byteLength} bytes>`);
        }),
        socket.on('open', (e) => this.addLine('info', e.attempt > 0 ? `reconnected after ${e.attempt} attempt(s)` : 'connected')),
        socket.on('close', (e) => this.addLine('info', `closed ${e.code}${e.reason ? ` ${e.reason}` : ''}${e.willReconnect ? ', will reconnect' : ''}`)),
        socket.on('error', (e) => this.addLine('error', e.code)),
      ];
      socket.onLoad();
      const banner = this.selectComponent('#status');
      if (banner) banner.bind(socket);
    },
    onUnload(this: PageThis) {
      for (const off of this.offs ?? []) off();
      this.offs = undefined;
      socket.onUnload();
    },
    onInput(this: PageThis, e: { detail: { value: string } }) {
      this.setData({ draft: e.detail.value });
    },
    onSend(this: PageThis) {
      const text = this.data.draft.trim();
      if (!text) return;
      this.setData({ draft: '' });
      void this.send(text);
    },
    onFault(this: PageThis, e: { currentTarget: { dataset: { fault: string } } }) {
      const command = FAULTS[e.currentTarget.dataset.fault];
      if (command) void this.send(command);
    },
    send(this: PageThis, text: string): Promise<void> {
      this.setData({ sent: this.data.sent + 1 });
      this.addLine('out', socket.state === 'open' ? text : `${text} (queued: ${socket.queued + 1})`);
      return socket.send(text).catch((err: Error) => this.addLine('error', err.message));
    },
    addLine(this: PageThis, kind: LogLine['kind'], text: string) {
      const lines = this.data.lines.concat({ id: nextId++, kind, text });
      this.setData({ lines: lines.slice(-MAX_LINES) });
    },
  },
});
