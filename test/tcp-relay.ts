import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { Test } from 'tap'

/**
 * A TCP relay in front of the server at `target` (a URL: a test Redis, a test
 * PostgreSQL), which the test can take away and bring back on the same port
 * (to a client, that server going down and coming back), or freeze:
 * connections stay open, but nothing reaches the server any more. Answers the
 * target's URL (its path, its credentials) through the relay.
 */
export async function tcpRelay (t: Test, target: string) {
  const { hostname, port: targetPort } = new URL(target)
  const sockets = new Set<Socket>()
  let listener: Server | undefined
  let port = 0
  let frozen = false

  const start = async () => {
    listener = createServer((client) => {
      const upstream = connect(Number(targetPort), hostname)
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.on('data', (chunk) => { if (!frozen) upstream.write(chunk) })
      upstream.pipe(client)
    })
    listener.listen(port, '127.0.0.1')
    await once(listener, 'listening')
    port = (listener.address() as AddressInfo).port
  }
  const stop = async () => {
    if (listener?.listening !== true) return
    for (const socket of sockets) socket.destroy()
    listener.close()
    await once(listener, 'close')
  }

  await start()
  t.teardown(stop)
  const url = new URL(target)
  url.host = `127.0.0.1:${port}`
  return { url: url.toString(), start, stop, freeze: () => { frozen = true } }
}
