/** The browser bundle (dist/h5/wx-socket-manager.js, global `wxSocketManager`): the manager and fromBrowser. */
export { WxSocketManager, SocketError, statusText, STATUS_TEXT, DEFAULTS } from '../index';
export { fromBrowser } from '../platforms';
