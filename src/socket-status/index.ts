/**
 * `socket-status`: a banner showing a manager's state in words, the last RTT, and a retry
 * button when it has failed. One line of WXML and one line of code:
 *
 *   <socket-status id="status" lang="en" />
 *   (this.selectComponent('#status') as SocketStatus).bind(socket)
 *
 * It detaches from the manager by itself when the page unloads.
 */
import type { WxSocketManager } from '../socket-manager';
import { STATUS_TEXT, statusText } from '../status-text';
import type { SocketStatus, StatusLang } from '../status-text';
import type { SocketState } from '../types';

/** The public face (SocketStatus) plus what only the component itself uses. */
interface Instance extends SocketStatus {
  setData(data: Record<string, unknown>): void;
  manager?: WxSocketManager;
  unbind?: () => void;
  render(): void;
}

Component({
  properties: {
    /** 'zh' (default) or 'en'. */
    lang: { type: String, value: 'zh' },
  },
  data: {
    state: 'idle' as SocketState,
    text: STATUS_TEXT.zh.idle,
    rtt: '',
    retryText: STATUS_TEXT.zh.retry,
    showRetry: false,
  },
  observers: {
    lang(this: Instance) {
      this.render();
    },
  },
  lifetimes: {
    detached(this: Instance) {
      if (this.unbind) this.unbind();
    },
  },
  methods: {
    /** Shows `manager` from now on (and stops showing any manager bound before). */
    bind(this: Instance, manager: WxSocketManager) {
      if (this.unbind) this.unbind();
      this.manager = manager;
      const render = (): void => this.render();
      const offs = [manager.on('state', render), manager.on('reconnecting', render), manager.on('pong', render)];
      this.unbind = () => {
        for (const off of offs) off();
        this.unbind = undefined;
        this.manager = undefined;
      };
      this.render();
    },
    /** Stops showing the manager (also done on detach). */
    unbindManager(this: Instance) {
      if (this.unbind) this.unbind();
    },
    retry(this: Instance) {
      if (this.manager) this.manager.reconnect();
    },
    render(this: Instance) {
      const m = this.manager;
      const lang: StatusLang = this.data.lang === 'en' ? 'en' : 'zh';
      if (!m) return;
      this.setData({
        state: m.state,
        text: statusText(m.state, m.attempt, m.maxAttempts, lang),
        rtt: m.rtt === undefined ? '' : `RTT ${m.rtt} ms`,
        retryText: STATUS_TEXT[lang].retry,
        showRetry: m.state === 'failed',
      });
    },
  },
});
