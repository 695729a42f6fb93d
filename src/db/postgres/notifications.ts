import pg from 'pg'
import { sql, type SQL } from 'drizzle-orm'
import type { DatabaseLog } from './postgres-database.js'

/** What instances on one database tell each other of: events appended to the change log, jobs added (or made due again), seats taken or given up in the live feed's rooms. */
export type Channel = 'task_events' | 'task_jobs' | 'task_presence'

/**
 * What a statement selects to tell every instance of this schema on
 * `channel`. PostgreSQL delivers a NOTIFY when its transaction commits, and
 * never when it rolls back, so nobody hears of rows they cannot read yet;
 * the same one twice in a transaction is delivered once. The payload is the
 * schema, since the schemas of one database (one per test, or several
 * deployments) share its channels.
 */
export const notification = (channel: Channel): SQL => sql`pg_notify(${channel}, current_schema())`

// A connection attempt to a server that does not answer is given up after this.
const CONNECT_TIMEOUT_MS = 5000
// The wait before connecting again, doubled after each failed attempt up to the longest.
const RECONNECT_FIRST_MS = 100
const RECONNECT_LONGEST_MS = 10_000

/**
 * The URL of the listening connection, which names it in pg_stat_activity:
 * 'task-api listen', or after the instance's own connections when
 * DATABASE_URL names them (its application_name, which would win over a
 * name given beside the URL). Only the query is rewritten: PostgreSQL
 * accepts URLs that `new URL` refuses (`postgres://user@/db?host=/run/postgresql`).
 */
function listeningUrl (url: string): string {
  const start = url.indexOf('?')
  const query = new URLSearchParams(start === -1 ? '' : url.slice(start + 1))
  query.set('application_name', `${query.get('application_name') ?? 'task-api'} listen`)
  return `${start === -1 ? url : url.slice(0, start)}?${query.toString()}`
}

export interface NotificationListener {
  /** Ends the connection and stops connecting again. */
  close (): Promise<void>
}

/**
 * Listens on every channel of `handlers` with a connection of its own (one of
 * the pool's would hold its slot for ever), and calls the channel's handler
 * when a notification of this schema arrives: another instance committed.
 * This process's own commits are heard too; they told its listeners already,
 * and telling them twice only costs a listener a look.
 *
 * A lost connection is made again, with backoff; going down and coming back
 * are each logged once, and once back every handler is called, for what was
 * missed meanwhile (until then, polls find it). Resolves once the first
 * attempt has succeeded or failed: a database whose listening fails still opens.
 */
export async function listenForNotifications (url: string, handlers: Record<Channel, () => void>, log?: DatabaseLog): Promise<NotificationListener> {
  const connectionString = listeningUrl(url)
  let client: pg.Client | undefined
  let attempt: Promise<void> | undefined
  let retry: NodeJS.Timeout | undefined
  let wait = RECONNECT_FIRST_MS
  let down = false
  let closed = false

  const connect = async () => {
    const connection = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true })
    let failed = false
    // The connection's first error or end (a server restart reports both) ends it, and another is tried later.
    const fail = (error: Error) => {
      if (failed) return
      failed = true
      if (client === connection) client = undefined
      connection.end().catch(() => {})
      if (closed) return
      if (!down) {
        down = true
        log?.warn({ err: error }, 'the connection that listens for other instances\' events and jobs was lost: until it is back they are found by polling')
      }
      retry = setTimeout(() => { attempt = connect() }, wait)
      wait = Math.min(wait * 2, RECONNECT_LONGEST_MS)
    }
    connection.on('error', fail)
    connection.on('end', () => fail(new Error('Connection terminated')))
    try {
      await connection.connect()
      const { rows: [current] } = await connection.query<{ schema: string }>('SELECT current_schema() AS schema')
      const { schema } = current as { schema: string }
      connection.on('notification', ({ channel, payload }) => {
        if (payload === schema) handlers[channel as Channel]()
      })
      await connection.query(Object.keys(handlers).map((channel) => `LISTEN ${channel}`).join('; '))
    } catch (error) {
      fail(error as Error)
      return
    }
    client = connection
    wait = RECONNECT_FIRST_MS
    if (down) {
      down = false
      log?.info('listening again for other instances\' events and jobs')
      for (const handler of Object.values(handlers)) handler()
    }
  }

  attempt = connect()
  await attempt
  return {
    async close () {
      closed = true
      clearTimeout(retry)
      await attempt
      await client?.end()
    }
  }
}
