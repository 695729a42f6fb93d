import { once } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import { Redis } from 'ioredis'

// A request waits for its count before it is served: a Redis that stops
// answering on an open connection costs it COMMAND_TIMEOUT_MS at most (with no
// timeout it would wait until the operating system gave up on the connection).
// CONNECT_TIMEOUT_MS bounds each connection attempt, and so how long start-up
// waits for a Redis that does not answer (ioredis's default is 10 s).
const CONNECT_TIMEOUT_MS = 1000
const COMMAND_TIMEOUT_MS = 500

/**
 * Connects to the Redis at `url` that rate limits are counted in.
 *
 * While Redis cannot be reached, a command fails at once and the client keeps
 * trying to reconnect in the background. Going down and coming back are each
 * logged once, not once per request or per reconnection attempt.
 *
 * Resolves once the first connection attempt has succeeded or failed: a
 * server whose Redis is down still starts.
 */
export async function connectRateLimitRedis (url: string, log: FastifyBaseLogger): Promise<Redis> {
  const client = new Redis(url, {
    // Names the connection in Redis's CLIENT LIST.
    connectionName: 'task-api-rate-limit',
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // While disconnected, a command fails at once instead of waiting for the connection.
    enableOfflineQueue: false,
    // A command in flight when the connection drops waits for one reconnection attempt at most.
    maxRetriesPerRequest: 1
  })

  let reachable = true
  // ioredis reports every failed connection attempt as an 'error' (without a
  // listener it would print each one to stderr).
  client.on('error', (err) => {
    if (!reachable) return
    reachable = false
    log.warn({ err }, 'Redis for rate limiting is unreachable: the rate limit is not enforced until it answers again')
  })
  client.on('ready', () => {
    if (reachable) return
    reachable = true
    log.info('Redis for rate limiting answers again: the rate limit is enforced')
  })

  // 'ready' resolves; an 'error' rejects, and has been logged just above.
  await once(client, 'ready').catch(() => {})
  return client
}

/**
 * Closes the connection: with QUIT when Redis answers, else at once (QUIT
 * fails at once while Redis is unreachable), which also stops reconnecting.
 */
export async function closeRateLimitRedis (client: Redis): Promise<void> {
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}
