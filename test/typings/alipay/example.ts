// fromAlipay against @mini-types/alipay's `my` (and the binding's source, compiled with Alipay's globals only).
import { WxSocketManager } from 'wx-socket-manager';
import { fromAlipay } from 'wx-socket-manager/platforms';

const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromAlipay(my) });

Page({
  onLoad: socket.onLoad,
  onUnload: socket.onUnload,
});

// @ts-expect-error the binding needs the platform object
fromAlipay();
