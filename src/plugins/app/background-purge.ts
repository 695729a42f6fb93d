import type { FastifyInstance } from 'fastify'

/**
 * Runs `purge` every `intervalMs` while the server is up, to forget what has
 * expired (a failure is logged and tried again next time), and stops when
 * the server closes. The timer never keeps the process alive.
 */
export function purgeInBackground (fastify: FastifyInstance, what: string, intervalMs: number, purge: () => Promise<unknown>): void {
  const timer = setInterval(() => {
    purge().catch((error: unknown) => {
      fastify.log.error({ err: error }, `purging expired ${what} failed`)
    })
  }, intervalMs)
  timer.unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}
