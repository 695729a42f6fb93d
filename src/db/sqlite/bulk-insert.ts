import { count, getTableColumns, sql } from 'drizzle-orm'
import type { GeneratedTask } from '../generated-tasks.js'
import { taskCounts, tasks } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

// Every column but the id, in the table's order, which is the order drizzle
// writes them in an INSERT.
const COLUMNS = Object.keys(getTableColumns(tasks)).filter((column) => column !== 'id') as Array<keyof GeneratedTask>

// For the length of the load: no write-ahead log (a new file has nothing to
// roll back to, so its pages are written once, not twice), no waiting for the
// disk before the single commit, memory enough to sort each index at once.
const BULK_PRAGMAS = { journal_mode: 'DELETE', synchronous: 'OFF', cache_size: '-256000', threads: '2' }

/**
 * Inserts many tasks into an empty database in one transaction, the way bulk
 * loads are fast: the indexes and triggers are dropped first and recreated
 * from their own definitions afterwards (sorting all rows once beats a
 * million random index inserts), then the search index and the counters are
 * rebuilt from the rows. Returns how many tasks were inserted.
 */
export function bulkInsertTasks (db: SqliteConnection, rows: Iterable<GeneratedTask>): number {
  const [existing] = db.select({ count: sql<number>`count(*)` }).from(tasks).all()
  if (existing?.count !== 0) throw new Error(`The database already holds ${existing?.count} tasks; seed an empty one.`)

  const rebuilt = db.all<{ type: string, name: string, sql: string }>(sql`
    SELECT type, name, sql FROM sqlite_master
    WHERE tbl_name = 'tasks' AND sql IS NOT NULL
      AND type IN ('index', 'trigger')`)
  // Drizzle writes the statement; better-sqlite3 runs it directly, as
  // drizzle's placeholder filling costs more per row than the insert itself.
  const insert = db.$client.prepare(db.insert(tasks)
    .values(Object.fromEntries(COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as GeneratedTask)
    .toSQL().sql)
  const saved = Object.fromEntries(Object.keys(BULK_PRAGMAS).map((name) => [name, db.$client.pragma(name, { simple: true })]))
  const setPragmas = (values: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(values)) db.$client.pragma(`${name} = ${String(value)}`)
  }
  setPragmas(BULK_PRAGMAS)
  try {
    return db.$client.transaction(() => {
      for (const { type, name } of rebuilt) db.run(sql.raw(`DROP ${type.toUpperCase()} "${name}"`))
      let inserted = 0
      for (const row of rows) {
        insert.run(...COLUMNS.map((column) => row[column]))
        inserted++
      }
      for (const definition of rebuilt) db.run(sql.raw(definition.sql))
      // Rebuilt whole, then merged into one segment.
      db.run(sql`INSERT INTO tasks_search (tasks_search) VALUES ('rebuild')`)
      db.run(sql`INSERT INTO tasks_search (tasks_search) VALUES ('optimize')`)
      db.delete(taskCounts).run()
      db.insert(taskCounts).select(db.select({
        status: tasks.status,
        priority: tasks.priority,
        deleted: sql<boolean>`${tasks.deletedAt} IS NOT NULL`.as('deleted'),
        total: count().as('total')
      }).from(tasks).groupBy(sql`1, 2, 3`)).run()
      return inserted
    })()
  } finally {
    setPragmas(saved)
  }
}
