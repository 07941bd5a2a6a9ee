/** Words for each state, as the socket-status banner shows them (pure; usable in your own UI). */
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
