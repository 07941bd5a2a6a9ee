/** A Behavior for pages written with Component(): wires onLoad/onUnload to a manager. */
import type { WxSocketManager } from './socket-manager';

// Module-scoped: the mini-program global, absent in Node (only called inside a mini-program).
declare const Behavior: (definition: Record<string, unknown>) => string;

/**
 * `Component({ behaviors: [socketBehavior(socket)], … })` — the page holds `socket`
 * from onLoad to onUnload, exactly as `Page({ onLoad: socket.onLoad, onUnload: socket.onUnload })`.
 */
export function socketBehavior(manager: WxSocketManager): string {
  // Lifetimes, not methods: a page's own onLoad/onUnload methods would override ours,
  // while lifetimes of every behavior all run (attached = page load, detached = unload).
  return Behavior({
    lifetimes: {
      attached: manager.onLoad,
      detached: manager.onUnload,
    },
  });
}
