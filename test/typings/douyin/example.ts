// fromDouyin against @douyin-microapp/typings' `tt`.
import { WxSocketManager } from 'wx-socket-manager';
import { fromDouyin } from 'wx-socket-manager/platforms';

const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromDouyin(tt) });

Page({
  onLoad: socket.onLoad,
  onUnload: socket.onUnload,
});

// @ts-expect-error the binding needs the platform object
fromDouyin({});
