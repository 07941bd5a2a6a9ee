// A Taro (React) page: connect on useLoad, release everything on useUnload.
import { useState } from 'react'
import Taro, { useLoad, useUnload } from '@tarojs/taro'
import { View, Text, Button } from '@tarojs/components'
import { WxSocketManager, statusText } from 'wx-socket-manager'
import { fromTaro } from 'wx-socket-manager/platforms'

const socket = new WxSocketManager({ url: 'wss://example.com/live', ...fromTaro(Taro) })

export default function Chat() {
  const [status, setStatus] = useState(statusText(socket.state, socket.attempt, socket.maxAttempts))
  const [lines, setLines] = useState<string[]>([])
  const [offs] = useState<Array<() => void>>([])

  useLoad(() => {
    offs.push(
      socket.on('state', () => setStatus(statusText(socket.state, socket.attempt, socket.maxAttempts))),
      socket.on('message', (data) => setLines((list) => [...list, typeof data === 'string' ? data : `<${data.byteLength} bytes>`])),
    )
    socket.onLoad()
  })

  useUnload(() => {
    offs.splice(0).forEach((off) => off())
    socket.onUnload()
  })

  return (
    <View>
      <Text>{status}</Text>
      {lines.map((line, i) => <Text key={i}>{line}</Text>)}
      <Button onClick={() => void socket.send('hello')}>Send</Button>
    </View>
  )
}
