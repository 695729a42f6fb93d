import { defineConfig } from 'drizzle-kit'

// Each database has its schema and its own migrations. `npm run db:generate`
// generates both; DRIZZLE_DIALECT picks one for other drizzle-kit commands.
const dialect = process.env.DRIZZLE_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite'

export default defineConfig(dialect === 'postgresql'
  ? { dialect, schema: './src/db/postgres/schema.ts', out: './migrations/postgres' }
  : { dialect, schema: './src/db/sqlite/schema.ts', out: './migrations/sqlite' })
