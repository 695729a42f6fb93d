import type { Test } from 'tap'
import type { Database } from '../../../src/db/database.js'

/** Opens a new, empty, migrated database for one test, closed when it ends: each database's test files pass their own. */
export type OpenDatabase = (t: Test) => Promise<Database>
