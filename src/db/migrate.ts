import { ConfigError, loadConfig } from '../config.js'
import { openSqliteDatabase } from './sqlite/sqlite-database.js'

// `npm run db:migrate`: brings the database at DATABASE_URL up to date, then exits.
try {
  const { DATABASE_URL } = loadConfig()
  const db = openSqliteDatabase(DATABASE_URL)
  await db.close()
  console.log(`Database ${DATABASE_URL} is up to date.`)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
