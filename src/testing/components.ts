/** Where the package's own mini-program components are, for miniprogram-simulate. */
import path from 'path';

/**
 * The socket-status component as this package ships it: an absolute path without extension,
 * for `simulate.load(socketStatusComponent, 'socket-status')`. It needs no `miniprogram_npm/`
 * folder (only DevTools' "build npm" makes one), and the component requires the same manager
 * module a page gets from `require('wx-socket-manager')`.
 */
export const socketStatusComponent: string = path.join(__dirname, '../../miniprogram_npm_src/socket-status/index');
