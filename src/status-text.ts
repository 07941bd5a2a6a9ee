/** Words for each state, as the socket-status banner shows them (pure; usable in your own UI). */
import type { WxSocketManager } from './socket-manager';
import type { SocketState } from './types';

export type StatusLang = 'zh' | 'en';

export const STATUS_TEXT: Record<StatusLang, Record<SocketState, string> & { reconnectingN: string; retry: string }> = {
  zh: {
    idle: '未连接',
    connecting: '连接中',
    open: '已连接',
    reconnecting: '重连中',
    reconnectingN: '重连中 第 {n}/{max} 次',
    closed: '已断开',
    failed: '连接失败',
    retry: '重试',
  },
  en: {
    idle: 'Not connected',
    connecting: 'Connecting',
    open: 'Connected',
    reconnecting: 'Reconnecting',
    reconnectingN: 'Reconnecting, attempt {n}/{max}',
    closed: 'Disconnected',
    failed: 'Connection failed',
    retry: 'Retry',
  },
};

/** e.g. `statusText('reconnecting', 3, 12)` → `重连中 第 3/12 次`. */
export function statusText(state: SocketState, attempt: number, maxAttempts: number, lang: StatusLang = 'zh'): string {
  const t = STATUS_TEXT[lang] || STATUS_TEXT.zh;
  if (state === 'reconnecting' && attempt > 0) return t.reconnectingN.replace('{n}', String(attempt)).replace('{max}', String(maxAttempts));
  return t[state];
}

/** What the socket-status banner shows: its `data`. */
export interface SocketStatusData {
  /** 'zh' or 'en', from the `lang` property. */
  lang: string;
  state: SocketState;
  /** The state in words, e.g. `重连中 第 1/12 次`. */
  text: string;
  /** e.g. `RTT 42 ms`; empty before the first pong. */
  rtt: string;
  retryText: string;
  /** The retry button is shown (the manager has failed). */
  showRetry: boolean;
}

/**
 * The `socket-status` component instance, as `this.selectComponent('#status')` returns it
 * (miniprogram-api-typings types that loosely):
 *
 *   const banner = this.selectComponent('#status') as SocketStatus
 *   banner.bind(socket)
 */
export interface SocketStatus {
  readonly data: SocketStatusData;
  /** Shows `manager` from now on (and stops showing any manager bound before). */
  bind(manager: WxSocketManager): void;
  /** Stops showing the manager (also done when the component detaches, e.g. on page unload). */
  unbindManager(): void;
  /** What the retry button does: `manager.reconnect()`. */
  retry(): void;
}
