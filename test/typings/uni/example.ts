// fromUni against @dcloudio/types' `uni`.
// #region readme
import { WxSocketManager } from 'wx-socket-manager'
import { fromUni } from 'wx-socket-manager/platforms'

const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromUni(uni) })
// #endregion

socket.connect()
// @ts-expect-error the binding needs the platform object
fromUni(undefined)
