import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/database.js'
import { openSqliteDatabase } from '../../db/sqlite/sqlite-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

export interface DatabaseOptions {
  /** DATABASE_URL: a file path or `:memory:`. */
  url: string
}

/** Opens the database, migrated, as `fastify.db`, and closes it when the server closes. */
async function database (fastify: FastifyInstance, { url }: DatabaseOptions) {
  const db = openSqliteDatabase(url)
  fastify.decorate('db', db)
  fastify.addHook('onClose', () => db.close())
}

export default fp(database, { name: 'database' })
