import { once } from 'node:events'
import fp from 'fastify-plugin'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Redis every instance shares (REDIS_URL), or null without one. */
    redis: Redis | null
  }
}

export interface RedisOptions {
  /** REDIS_URL: empty for none. */
  url: string
}

// A request waits for Redis before it is served: a Redis that stops
// answering on an open connection costs it COMMAND_TIMEOUT_MS at most (with no
// timeout it would wait until the operating system gave up on the connection).
// CONNECT_TIMEOUT_MS bounds each connection attempt, and so how long start-up
// waits for a Redis that does not answer (ioredis's default is 10 s).
const CONNECT_TIMEOUT_MS = 1000
const COMMAND_TIMEOUT_MS = 500

/**
 * Connects to the Redis at `url`, where the instances count together: the
 * rate limit, and failed sign-ins.
 *
 * While Redis cannot be reached, a command fails at once and the client keeps
 * trying to reconnect in the background. Going down and coming back are each
 * logged once, not once per request or per reconnection attempt.
 *
 * Resolves once the first connection attempt has succeeded or failed: a
 * server whose Redis is down still starts.
 */
export async function connectRedis (url: string, log: FastifyBaseLogger): Promise<Redis> {
  const client = new Redis(url, {
    // Names the connection in Redis's CLIENT LIST.
    connectionName: 'task-api',
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
    log.warn({ err }, 'Redis is unreachable: until it answers again the rate limit is not enforced, and failed sign-ins are counted by each instance alone')
  })
  client.on('ready', () => {
    if (reachable) return
    reachable = true
    log.info('Redis answers again: the rate limit and failed sign-ins are counted in it again')
  })

  // 'ready' resolves; an 'error' rejects, and has been logged just above.
  await once(client, 'ready').catch(() => {})
  return client
}

/**
 * Closes the connection: with QUIT when Redis answers, else at once (QUIT
 * fails at once while Redis is unreachable), which also stops reconnecting.
 */
export async function closeRedis (client: Redis): Promise<void> {
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}

/** Gives the app `fastify.redis`: connected when a REDIS_URL is set, closed with the app. */
async function redisConnection (fastify: FastifyInstance, { url }: RedisOptions) {
  if (url === '') {
    fastify.decorate('redis', null)
    return
  }
  const redis = await connectRedis(url, fastify.log)
  fastify.addHook('onClose', () => closeRedis(redis))
  fastify.decorate('redis', redis)
}

export default fp(redisConnection, { name: 'redis' })
