/**
 * One attempt to open a link, and the link it opens: resolves the url/header providers, calls
 * connectSocket, binds the task's callbacks, hands frames to the task. SocketTask has no off*:
 * once the attempt is given up (`_end`), every late callback of its task is ignored, and a
 * task that opens anyway is closed at once (still at most one live task).
 */
import { PREFIX, SocketError, messageOf, noop } from './errors';
import { checkProvided } from './options';
import type { ResolvedOptions } from './options';
import { isFatalConnectError } from './reconnect-policy';
import type { SocketData, SocketTaskLike, WxCallbackResult } from './types';
import { isTaskLike } from './validate';

/** Close code reported for losses the client detected itself (heartbeat, send failure, timeouts). */
export const ABNORMAL = 1006;

/** What an attempt tells the manager. */
export interface AttemptHooks {
  _opened(header: Record<string, string> | undefined): void;
  _message(data: SocketData): void;
  /** The platform confirmed the oldest frame sent with `confirm`. */
  _confirmed(): void;
  /** The attempt failed, or its link was lost; `fatal`: retrying cannot help. */
  _lost(code: number, reason: string, error?: SocketError, fatal?: boolean): void;
}

export class Attempt {
  /** False once given up: late callbacks of its task are ignored from then on. */
  private _live = true;
  /** Its task opened. */
  private _open = false;
  /** @internal (diagnostics) */
  _task: SocketTaskLike | undefined;
  private _connectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly _options: ResolvedOptions;
  private readonly _hooks: AttemptHooks;

  constructor(options: ResolvedOptions, hooks: AttemptHooks) {
    this._options = options;
    this._hooks = hooks;
  }

  /** Still connecting: its connect timer runs until the task opens or the attempt ends. */
  get _connecting(): boolean {
    return this._connectTimer !== undefined;
  }

  /** Resolves the providers (a function `url`/`header` is called before every attempt) and connects. */
  _start(): void {
    const { url, header, connectTimeout } = this._options;
    this._connectTimer = setTimeout(() => this._lost(ABNORMAL, 'connect timeout', new SocketError('CONNECT_TIMEOUT', `${connectTimeout} ms`)), connectTimeout);
    if (typeof url !== 'function' && typeof header !== 'function') return this._connect(url, header);
    let pending: Promise<[string, Record<string, string> | undefined]>;
    try {
      pending = Promise.all([typeof url === 'function' ? url() : url, typeof header === 'function' ? header() : header]);
    } catch (err) {
      return this._providerFailed(err);
    }
    pending.then(([u, h]) => {
      if (!this._live) return;
      try {
        checkProvided(u, h);
      } catch (err) {
        return this._providerFailed(err);
      }
      this._connect(u, h);
    }, (err: unknown) => this._providerFailed(err));
  }

  /**
   * Hands a frame to the task. With `confirm`, the platform's success confirms the oldest frame
   * in flight; a platform failure means the link is dead.
   */
  _send(data: SocketData, confirm?: boolean): void {
    try {
      (this._task as SocketTaskLike).send({ data, success: confirm ? this._confirm : undefined, fail: this._refuse });
    } catch (err) {
      this._refuse({ errMsg: messageOf(err) });
    }
  }

  /** Sends the frame the first-frame hook gives (a session's `hello`), if any; a hook that throws is reported. */
  _sendFirst(hook: () => SocketData | undefined): void {
    let frame: SocketData | undefined;
    try {
      frame = hook();
    } catch (err) {
      console.error(PREFIX, 'first-frame hook threw', err);
    }
    if (frame !== undefined) this._send(frame);
  }

  /** Gives the attempt up: its timer cleared, its task closed without waiting for its onClose. */
  _end(code: number, reason: string): void {
    this._live = false;
    this._stopConnectTimer();
    const task = this._task;
    this._task = undefined;
    if (task) safeClose(task, code, reason);
  }

  // One pair of send callbacks per attempt, so no closure is made per frame.
  private readonly _confirm = (): void => {
    if (this._live) this._hooks._confirmed();
  };

  private readonly _refuse = (res: WxCallbackResult): void => {
    this._lost(ABNORMAL, 'send failed', new SocketError('SEND_FAILED', '', res && res.errMsg));
  };

  private _connect(url: string, header: Record<string, string> | undefined): void {
    const o = this._options;
    let task: SocketTaskLike;
    try {
      task = o.connectSocket({
        url,
        header,
        protocols: o.protocols,
        timeout: o.connectTimeout,
        fail: (res) => this._connectFailed(res),
      });
      if (!isTaskLike(task)) throw new TypeError('connectSocket returned no SocketTask');
    } catch (err) {
      return this._lost(ABNORMAL, 'connect failed', new SocketError('CONNECT_FAILED', `connectSocket: ${messageOf(err)}`));
    }
    // Given up while connectSocket ran (its `fail` came at once).
    if (!this._live) return safeClose(task, 1000, '');
    this._task = task;
    this._bind(task);
  }

  /** Registered in the same tick as connectSocket, or onOpen can be missed. */
  private _bind(task: SocketTaskLike): void {
    task.onOpen((res) => {
      // Given up while connecting, yet its handshake completed (its close() had failed or thrown).
      if (!this._live) return safeClose(task, 1000, '');
      this._open = true;
      this._stopConnectTimer();
      this._hooks._opened(res.header);
    });
    task.onMessage((res) => {
      if (this._live) this._hooks._message(res.data);
    });
    task.onError((res) => {
      if (!this._open) this._connectFailed(res);
      else this._lost(ABNORMAL, res.errMsg, new SocketError('SOCKET_ERROR', '', res.errMsg));
    });
    task.onClose((res) => {
      const code = typeof res.code === 'number' ? res.code : ABNORMAL;
      const reason = typeof res.reason === 'string' ? res.reason : '';
      this._lost(code, reason, this._open ? undefined : new SocketError('CONNECT_FAILED', `closed ${code}`, reason || undefined));
    });
  }

  private _connectFailed(res: WxCallbackResult): void {
    const errMsg = res && typeof res.errMsg === 'string' ? res.errMsg : undefined;
    if (isFatalConnectError(errMsg)) this._lost(ABNORMAL, 'domain not allowed', new SocketError('DOMAIN_NOT_ALLOWED', '', errMsg), true);
    else this._lost(ABNORMAL, errMsg || 'connect failed', new SocketError('CONNECT_FAILED', '', errMsg));
  }

  private _providerFailed(err: unknown): void {
    this._lost(ABNORMAL, 'provider failed', new SocketError('PROVIDER_FAILED', messageOf(err)));
  }

  /** Every report goes through here: nothing from an attempt that was given up. */
  private _lost(code: number, reason: string, error?: SocketError, fatal?: boolean): void {
    if (this._live) this._hooks._lost(code, reason, error, fatal);
  }


  private _stopConnectTimer(): void {
    if (this._connectTimer !== undefined) clearTimeout(this._connectTimer);
    this._connectTimer = undefined;
  }
}

function safeClose(task: SocketTaskLike, code: number, reason: string): void {
  try {
    // close() can throw on some devices, and fails on a task that never opened.
    task.close({ code, reason, fail: noop });
  } catch {
    // nothing to do: the task is abandoned either way
  }
}
