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
  const db = await openDatabase(settings, fastify.log)
  fastify.decorate('db', db)
  fastify.addHook('onClose', () => db.close())
}

export default fp(database, { name: 'database' })
