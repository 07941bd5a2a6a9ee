// Size baseline only: the hand-rolled pattern the blog posts in shared/seeds describe
// (heartCheck with two timers, reconnect() guarded by lockReconnect, 12 tries at 5 s),
// written from scratch for wx.connectSocket. It has the bugs the README lists; never use it.
var socketTask = null;
var lockReconnect = false;
var tries = 0;
var url = '';

var heartCheck = {
  timeout: 10000,
  timeoutObj: null,
  serverTimeoutObj: null,
  reset: function () {
    clearTimeout(this.timeoutObj);
    clearTimeout(this.serverTimeoutObj);
    return this;
  },
  start: function () {
    var self = this;
    this.timeoutObj = setTimeout(function () {
      socketTask.send({ data: 'ping' });
      self.serverTimeoutObj = setTimeout(function () {
        socketTask.close({});
      }, self.timeout);
    }, this.timeout);
  },
};

function reconnect() {
  if (lockReconnect || tries >= 12) return;
  lockReconnect = true;
  tries++;
  setTimeout(function () {
    lockReconnect = false;
    connect(url);
  }, 5000);
}

function connect(u) {
  url = u;
  socketTask = wx.connectSocket({ url: u, fail: reconnect });
  socketTask.onOpen(function () {
    heartCheck.reset().start();
  });
  socketTask.onMessage(function (res) {
    heartCheck.reset().start();
    if (res.data !== 'pong' && module.exports.onmessage) module.exports.onmessage(res.data);
  });
  socketTask.onError(reconnect);
  socketTask.onClose(function () {
    heartCheck.reset();
    reconnect();
  });
}

module.exports = {
  connect: connect,
  send: function (data) {
    socketTask.send({ data: data });
  },
  close: function () {
    socketTask.close({});
  },
  onmessage: null,
};
