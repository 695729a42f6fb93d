import { getTableColumns, getTableName, type Column } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type pg from 'pg'
import { LOCAL_USER_ID } from './local-user.js'
import * as postgres from './postgres/schema.js'
import * as sqlite from './sqlite/schema.js'
import type { SqliteConnection } from './sqlite/sqlite-database.js'

/** A table as both schemas define it: its columns paired by field, in the PostgreSQL table's order. */
interface CopiedTable {
  name: string
  columns: Array<{ source: Column, target: Column }>
  /** The column the database numbers (AUTOINCREMENT on SQLite, an identity on PostgreSQL), if any: `id`, or the change log's `seq`. */
  numbered: string | undefined
}

/** Nothing when rows of S and rows of P have the same fields of the same types; otherwise one argument that cannot be given. */
type SameRows<S extends SQLiteTable, P extends PgTable> =
  [S['$inferSelect']] extends [P['$inferSelect']] ? [P['$inferSelect']] extends [S['$inferSelect']] ? [] : [never] : [never]

/**
 * Pairs a table of the SQLite schema with the same table of the PostgreSQL
 * schema. The compiler checks that they hold the same fields (a column added
 * to one schema and not to the other is an error here), so the copy leaves
 * nothing behind.
 */
function sameTable<S extends SQLiteTable, P extends PgTable> (source: S, target: P, ..._same: SameRows<S, P>): CopiedTable {
  const sourceColumns = getTableColumns(source) as Record<string, Column>
  const columns = Object.entries(getTableColumns(target) as Record<string, Column>)
    .map(([field, column]) => ({ source: sourceColumns[field] as Column, target: column }))
  return { name: getTableName(target), columns, numbered: columns.find(({ target }) => target.generatedIdentity !== undefined)?.target.name }
}

// Every table but the counters (task_counts, recomputed), the search index
// (SQLite's own; PostgreSQL's trigram indexes follow the rows) and the live
// feed's room seats (those of instances running on the source). A table
// comes after the tables it refers to.
const TABLES = [
  sameTable(sqlite.users, postgres.users),
  sameTable(sqlite.projects, postgres.projects),
  sameTable(sqlite.projectMembers, postgres.projectMembers),
  sameTable(sqlite.projectSlugRedirects, postgres.projectSlugRedirects),
  sameTable(sqlite.tasks, postgres.tasks),
  sameTable(sqlite.taskComments, postgres.taskComments),
  sameTable(sqlite.taskAttachments, postgres.taskAttachments),
  // The change log, with its numbers: a feed resumes on the new database from the last event it had.
  sameTable(sqlite.taskEvents, postgres.taskEvents),
  sameTable(sqlite.webhooks, postgres.webhooks),
  sameTable(sqlite.webhookDeliveries, postgres.webhookDeliveries),
  sameTable(sqlite.personalTokens, postgres.personalTokens),
  sameTable(sqlite.refreshTokens, postgres.refreshTokens),
  sameTable(sqlite.idempotencyKeys, postgres.idempotencyKeys),
  sameTable(sqlite.serverSecrets, postgres.serverSecrets),
  // Jobs not yet done are done from the new database.
  sameTable(sqlite.jobs, postgres.jobs)
]

// What a new database may already hold, and the copy replaces by the
// source's: the built-in local user the migrations create, and the secrets a
// server generates when it first starts on it.
const REPLACED: Partial<Record<string, string>> = { users: `id = ${LOCAL_USER_ID}`, server_secrets: 'true' }

// A statement takes at most 65535 parameters; 1000 rows of the widest table (tasks, 17 columns) take 17000.
const MAX_PARAMETERS = 65_535
const ROWS_PER_INSERT = 1000

const quoted = (name: string) => `"${name}"`

/** How many rows a table holds after the copy (as many as in the source: it was checked). */
export interface CopiedCount {
  table: string
  rows: number
}

/**
 * Copies every row of the SQLite database into the PostgreSQL database
 * `target` is connected to, whose schema must be up to date and which must
 * hold nothing but what a new database holds (see REPLACED): ids, versions
 * and timestamps as they are, so that everything a client knows of (ETags,
 * cursors, token ids) still holds. It all happens in one transaction, which
 * is committed only once every table holds as many rows as in the source and
 * the task counters agree with the source's tasks; on any failure it is
 * rolled back and the target is left as it was. The source is read as of
 * one moment (one read transaction), whatever a server writes to it meanwhile,
 * and streamed: a thousand rows at a time are held in memory.
 */
export async function copySqliteToPostgres (source: SqliteConnection, target: pg.ClientBase): Promise<CopiedCount[]> {
  let copied: CopiedCount[]
  source.$client.exec('BEGIN')
  try {
    await target.query('BEGIN')
    try {
      copied = await copyInTransaction(source, target)
      await target.query('COMMIT')
    } catch (error) {
      await target.query('ROLLBACK')
      throw new Error(`${describe(error)} Nothing was copied.`, { cause: error })
    }
  } finally {
    source.$client.exec('COMMIT')
  }
  // At once rather than when autovacuum comes by: statistics, so that the
  // first lists are planned on the real sizes, and the visibility map, so
  // that a deep page skips its offset in the index alone.
  await target.query(`VACUUM (ANALYZE) ${[...TABLES.map(({ name }) => name), 'task_counts'].map(quoted).join(', ')}`)
  return copied
}

async function copyInTransaction (source: SqliteConnection, target: pg.ClientBase): Promise<CopiedCount[]> {
  // Nobody else reads or writes these tables until the copy commits: what is
  // checked empty here stays empty, and a second copy waits, then finds this one's rows.
  await target.query(`LOCK TABLE ${[...TABLES.map(({ name }) => name), 'task_counts'].map(quoted).join(', ')} IN ACCESS EXCLUSIVE MODE`)
  await refuseUnlessNew(target)
  for (const [name, rows] of Object.entries(REPLACED)) await target.query(`DELETE FROM ${quoted(name)} WHERE ${rows}`)

  // The counters are recomputed once at the end rather than moved by the
  // trigger for each row: in one transaction, a million updates of the same
  // few counter rows leave chains of row versions that every later update
  // walks, which makes the copy quadratic.
  await target.query('ALTER TABLE "tasks" DISABLE TRIGGER "task_counts_after_insert"')
  // As with the counters, the indexes (but those of keys, which the foreign
  // keys need) are built once from all the rows, each in one sort, rather
  // than grown a row at a time: on tasks that is several times faster.
  const { rows: indexes } = await target.query<{ name: string, definition: string }>(`
    SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
    WHERE indrelid = ANY ($1::regclass[]) AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = indexrelid)`, [TABLES.map(({ name }) => name)])
  for (const { name } of indexes) await target.query(`DROP INDEX ${name}`)
  for (const table of TABLES) await copyRows(source, target, table)
  for (const { definition } of indexes) await target.query(definition)
  await target.query('DELETE FROM "task_counts"')
  await target.query(`INSERT INTO "task_counts" ("status", "priority", "deleted", "slot", "total")
    SELECT "status", "priority", "deleted_at" IS NOT NULL, 0, count(*) FROM "tasks" GROUP BY 1, 2, 3`)
  await target.query('ALTER TABLE "tasks" ENABLE TRIGGER "task_counts_after_insert"')

  const copied = await verify(source, target)
  // Last, as setval is not undone by a rollback.
  for (const { name, numbered } of TABLES) if (numbered !== undefined) await continueIds(source, target, name, numbered)
  return copied
}

/** Refuses a target that holds rows of its own: the copy fills a new database, it never merges. */
async function refuseUnlessNew (target: pg.ClientBase): Promise<void> {
  const held: string[] = []
  for (const { name } of TABLES) {
    const { rows: [row] } = await target.query<{ held: boolean }>(`SELECT EXISTS (SELECT FROM ${quoted(name)} WHERE NOT (${REPLACED[name] ?? 'false'})) AS held`)
    if (row?.held === true) held.push(name)
  }
  if (held.length > 0) {
    throw new Error(`The target database is not empty: it holds rows in ${held.join(', ')}. db:copy only fills a new database, whose only user is the built-in one.`)
  }
}

async function copyRows (source: SqliteConnection, target: pg.ClientBase, { name, columns }: CopiedTable): Promise<void> {
  const select = source.$client.prepare(`SELECT ${columns.map(({ source }) => quoted(source.name)).join(', ')} FROM ${quoted(name)}`).raw()
  const rowsPerInsert = Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length))
  const statement = (rows: number) => `INSERT INTO ${quoted(name)} (${columns.map(({ target }) => quoted(target.name)).join(', ')}) VALUES ` +
    Array.from({ length: rows }, (_, row) => `(${columns.map((_, column) => `$${row * columns.length + column + 1}`).join(', ')})`).join(', ')
  const full = { name: `db:copy ${name}`, text: statement(rowsPerInsert) }
  const insert = async (rows: unknown[][]) => {
    // Values as drizzle reads them from SQLite (0 and 1 as booleans), then as it writes them to PostgreSQL.
    const values = rows.flatMap((row) => row.map((value, index) => {
      const { source, target } = columns[index] as CopiedTable['columns'][number]
      return value === null ? null : target.mapToDriverValue(source.mapFromDriverValue(value))
    }))
    // Full batches share one prepared statement; the last, shorter one is its own.
    await target.query(rows.length === rowsPerInsert ? { ...full, values } : { text: statement(rows.length), values })
  }

  let batch: unknown[][] = []
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push(row)
    if (batch.length === rowsPerInsert) {
      await insert(batch)
      batch = []
    }
  }
  if (batch.length > 0) await insert(batch)
}

/**
 * Compares every table's row count, and the task counters (which the lists'
 * totals come from), with the source; throws at any difference.
 */
async function verify (source: SqliteConnection, target: pg.ClientBase): Promise<CopiedCount[]> {
  const differences: string[] = []
  const copied: CopiedCount[] = []
  for (const { name } of TABLES) {
    const expected = source.$client.prepare(`SELECT count(*) FROM ${quoted(name)}`).pluck().get() as number
    const { rows: [row] } = await target.query<{ total: string }>(`SELECT count(*) AS total FROM ${quoted(name)}`)
    const rows = Number(row?.total)
    if (rows !== expected) differences.push(`${name} has ${rows} rows, the source ${expected}`)
    copied.push({ table: name, rows })
  }

  const counted = new Map<string, [number, number]>()
  const count = (status: string, priority: number, deleted: boolean, total: number, side: 0 | 1) => {
    const key = `${status}, priority ${priority}${deleted ? ', deleted' : ''}`
    const totals = counted.get(key) ?? [0, 0]
    totals[side] = total
    counted.set(key, totals)
  }
  const sourceCounts = source.$client.prepare('SELECT status, priority, deleted_at IS NOT NULL AS deleted, count(*) AS total FROM tasks GROUP BY 1, 2, 3')
    .all() as Array<{ status: string, priority: number, deleted: number, total: number }>
  for (const { status, priority, deleted, total } of sourceCounts) count(status, priority, deleted === 1, total, 0)
  const { rows: targetCounts } = await target.query<{ status: string, priority: number, deleted: boolean, total: string }>(
    'SELECT "status", "priority", "deleted", sum("total") AS total FROM "task_counts" GROUP BY 1, 2, 3 HAVING sum("total") <> 0')
  for (const { status, priority, deleted, total } of targetCounts) count(status, priority, deleted, Number(total), 1)
  for (const [key, [expected, total]] of counted) {
    if (total !== expected) differences.push(`the counter of tasks ${key} says ${total}, the source has ${expected}`)
  }

  if (differences.length > 0) throw new Error(`The copy does not match the source: ${differences.join('; ')}.`)
  return copied
}

/**
 * Has the table's identity hand out ids after the highest one the source
 * ever gave, as AUTOINCREMENT would have: an id that belonged to a row
 * since deleted (a token, a project) is never given again.
 */
async function continueIds (source: SqliteConnection, target: pg.ClientBase, name: string, column: string): Promise<void> {
  const given = source.$client.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(name) as number | undefined
  // On a table that never had a row both are null, and setval leaves the identity at its start.
  await target.query(`SELECT setval(pg_get_serial_sequence($1, $2), greatest(max(${quoted(column)}), $3::bigint)) FROM ${quoted(name)}`, [name, column, given ?? null])
}

/** An error in one line, with what PostgreSQL adds about the row (the key that was missing or taken). */
function describe (error: unknown): string {
  const { message, detail } = error as { message: string, detail?: string }
  return `${message.replace(/\.?$/, '.')}${detail === undefined ? '' : ` ${detail.replace(/\.?$/, '.')}`}`
}
