// fromUni against @dcloudio/types' `uni`.
import { WxSocketManager } from 'wx-socket-manager'
import { fromUni } from 'wx-socket-manager/platforms'

export const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromUni(uni) })

// @ts-expect-error the binding needs the platform object
fromUni(undefined)
