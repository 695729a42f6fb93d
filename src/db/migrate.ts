import { ConfigError, loadConfig } from '../config.js'
import { shownDatabaseUrl } from './database-url.js'
import { openDatabase } from './open-database.js'

// `npm run db:migrate`: brings the database at DATABASE_URL up to date, then exits.
try {
  const config = loadConfig()
  const db = await openDatabase(config)
  await db.close()
  console.log(`Database ${shownDatabaseUrl(config.DATABASE_URL)} is up to date.`)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
