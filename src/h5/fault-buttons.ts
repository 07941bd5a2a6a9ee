/**
 * The H5 page's fault buttons: the dev server says which faults it has (`POST /status`, same
 * origin), the page shows a button for each, and a press POSTs `/fault/<name>?…`. The fault
 * proxy answers control requests itself, so even "restart" answers its own request.
 */

export type Line = (kind: 'in' | 'out' | 'info' | 'error', text: string) => void;

interface Button {
  label: string;
  query: string;
}

/** Chinese and English labels, and the arguments each button sends. */
const BUTTONS: Record<string, Button> = {
  restart: { label: '重启服务器 restart', query: 'ms=2000' },
  crash: { label: '崩溃（丢失会话）crash', query: 'ms=2000' },
  blackhole: { label: '半开链路 blackhole', query: 'ms=10000' },
  refuse: { label: '拒绝连接 refuse', query: 'ms=10000' },
  nopong: { label: '不回 pong · no pong', query: 'ms=30000' },
  close: { label: '关闭 4001 · close 4001', query: 'code=4001&reason=bye' },
  drop: { label: '断开全部 drop all', query: '' },
};

export interface Status {
  mode?: string;
  tickInterval?: number;
  faults?: string[];
  nodes?: Array<{ name: string }>;
}

async function post(path: string): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const res = await fetch(path, { method: 'POST' });
  return { ok: res.ok, body: (await res.json()) as Record<string, unknown> };
}

/** Runs `fault` (`name?query`) through the control route, logging the press and the answer. */
export function runFault(fault: string, line: Line): Promise<void> {
  line('info', `fault ${fault}`);
  return post(`/fault/${fault}`).then(
    ({ ok, body }) => line(ok ? 'info' : 'error', ok ? `fault ${String(body.fault)} done` : `fault refused: ${String(body.error)}`),
    (err: Error) => line('error', `fault ${fault}: ${err.message}`),
  );
}

/** `kill` becomes one button per node; the others one each. */
function buttonsFor(status: Status): Array<{ fault: string; label: string }> {
  const list: Array<{ fault: string; label: string }> = [];
  for (const name of status.faults ?? []) {
    if (name === 'kill') {
      (status.nodes ?? []).forEach((_, i) => list.push({ fault: `kill?node=${i + 1}&ms=2000`, label: `杀死节点 ${i + 1} · kill node ${i + 1}` }));
      continue;
    }
    const b = BUTTONS[name];
    if (b) list.push({ fault: b.query ? `${name}?${b.query}` : name, label: b.label });
  }
  return list;
}

/** Shows the buttons; resolves with what the server said of itself (empty if it did not answer). */
export async function showFaultButtons(box: HTMLElement, line: Line): Promise<Status> {
  let status: Status;
  try {
    status = (await post('/status')).body as Status;
  } catch (err) {
    line('error', `no fault buttons: the dev server's control routes did not answer (${(err as Error).message})`);
    return {};
  }
  for (const { fault, label } of buttonsFor(status)) {
    const button = document.createElement('button');
    button.dataset.fault = fault;
    button.textContent = label;
    button.addEventListener('click', () => void runFault(fault, line));
    box.appendChild(button);
  }
  return status;
}
