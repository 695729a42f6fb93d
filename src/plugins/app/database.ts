import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/database.js'
import { openDatabase, type DatabaseSettings } from '../../db/open-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/** Opens the database, migrated, as `fastify.db`, and closes it when the server closes. */
async function database (fastify: FastifyInstance, settings: DatabaseSettings) {
  const db = await openDatabase(settings, (error) => {
    // The pool drops the connection and opens another when one is needed.
    fastify.log.warn({ err: error }, 'a database connection was lost while idle')
  })
  fastify.decorate('db', db)
  fastify.addHook('onClose', () => db.close())
}

export default fp(database, { name: 'database' })
