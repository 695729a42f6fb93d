import t from 'tap'
import type { PostgresDatabase } from '../../../src/db/postgres/postgres-database.js'
import { openPostgresDatabase } from '../../../src/db/postgres/postgres-database.js'
import { postgresTestUrl } from '../../postgres.js'
import { taskRepositoryContract, type TaskContractDatabase } from '../contracts/tasks.js'
import type { StoredRow } from '../task-brute-force.js'

// One connection: writes apply in the order they were queued, as the
// contract's model expects (concurrency across connections and instances is
// test/multi-instance.test.ts's).
const postgres: TaskContractDatabase<PostgresDatabase> = {
  async open (t) {
    const database = await openPostgresDatabase(await postgresTestUrl(t), { poolSize: 1, poolTimeoutMs: 5000 })
    t.teardown(() => database.close())
    return database
  },
  async storedRows (database) {
    // bigint columns as numbers (pg reads them as text).
    const { rows } = await database.pool.query<StoredRow>(`SELECT id::float8 AS id, title, description, status, priority, assignee,
      created_at::float8 AS created_at, updated_at::float8 AS updated_at, deleted_at::float8 AS deleted_at,
      version, project_id::float8 AS project_id, created_by::float8 AS created_by, notify_email,
      due_at::float8 AS due_at, location_name, location_latitude, location_longitude FROM tasks ORDER BY id`)
    return rows
  }
}

taskRepositoryContract(t, postgres)
