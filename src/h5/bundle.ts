/** The browser bundle (dist/h5/wx-socket-manager.js, global `wxSocketManager`): the manager, fromBrowser and SocketSession. */
export { WxSocketManager, SocketError, statusText, STATUS_TEXT, DEFAULTS } from '../index';
export { fromBrowser } from '../platforms';
export { SocketSession } from '../session';
