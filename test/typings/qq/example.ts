// fromQQ and fromWx against miniprogram-api-typings (QQ's API has WeChat's shapes; no QQ typings package exists).
import { WxSocketManager } from 'wx-socket-manager';
import { fromQQ, fromWx } from 'wx-socket-manager/platforms';

declare const qq: WechatMiniprogram.Wx;

const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromQQ(qq) });
const same = new WxSocketManager({ url: 'wss://example.com/live', ...fromWx(wx) });

Page({
  onLoad() {
    socket.onLoad();
    same.onLoad();
  },
  onUnload() {
    socket.onUnload();
    same.onUnload();
  },
});
