// fromBrowser against the DOM's own `globalThis`/`window` types.
import { WxSocketManager } from 'wx-socket-manager'
import { fromBrowser } from 'wx-socket-manager/platforms'

declare function fetchToken(): Promise<string>

// #region readme
const socket = new WxSocketManager({
  url: async () => `wss://example.com/live?token=${await fetchToken()}`,
  ...fromBrowser(globalThis),
})
// #endregion

socket.onLoad()
window.addEventListener('pagehide', socket.onUnload)
const fromWindow = new WxSocketManager({ url: 'wss://example.com/live', ...fromBrowser(window) })
fromWindow.connect()
