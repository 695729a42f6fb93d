import t, { type Test } from 'tap'
import { Agent, request, type IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { startServer, temporaryDirectory, type RunningServer } from '../helper.js'
import { postgresTestUrl } from '../postgres.js'

// Nothing acknowledged is lost when the server dies at the worst moment.
// The real server writes to its database (a SQLite file, or PostgreSQL) under
// a continuous burst of creates and updates (WRITERS requests in flight at any
// time) and is killed with SIGKILL mid-burst, several times. After each kill
// it is started again on the same database, and every write it answered with a 2xx is checked: it is
// there, unchanged. A write in flight at the kill may or may not have landed,
// so for a task whose last PATCH was unanswered the task is either as last
// acknowledged or exactly as that PATCH would have left it, and a task found
// that no 201 announced must be one of the creates left unanswered.

const WRITERS = 8
/** Acknowledged writes in each cycle before the kill: one cycle per entry. */
const ACKS_BEFORE_KILL = [250, 350, 300]
const STATUSES = ['pending', 'in_progress', 'done', 'cancelled'] as const

interface Task {
  id: number
  title: string
  description: string | null
  status: string
  priority: number
  assignee: string | null
  due_at: string | null
  location: { name: string | null, latitude: number, longitude: number } | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  version: number
}
type TaskChanges = Partial<Pick<Task, 'title' | 'description' | 'status' | 'priority' | 'assignee' | 'due_at' | 'location'>>

interface Answer { status: number, headers: IncomingHttpHeaders, text: string }

/** One request over `agent`'s kept-alive connections; rejects on a connection error. */
async function send (agent: Agent, url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), {
      agent,
      method,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Every task in the database, deleted ones included, a cursor page at a time. */
async function listAll (agent: Agent, url: string): Promise<Task[]> {
  const tasks: Task[] = []
  let cursor: string | null = null
  do {
    const path: string = `/tasks?include_deleted=true&sort_order=asc&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`
    const answer = await send(agent, url, 'GET', path)
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`)
    const page = JSON.parse(answer.text) as { items: Task[], next_cursor: string | null }
    tasks.push(...page.items)
    cursor = page.next_cursor
  } while (cursor !== null)
  return tasks
}

const TASK_FIELDS = ['id', 'title', 'description', 'status', 'priority', 'assignee', 'due_at', 'created_at', 'deleted_at'] as const

/** A due time for write `n`, or none for some: whole seconds in UTC with milliseconds, as the API shows them. */
const dueAt = (n: number) => n % 3 === 0 ? null : new Date(Date.UTC(2001 + (n % 90), n % 12, 1 + (n % 28), n % 24)).toISOString()
/** A place for write `n`, or none for most; its name always given (null or a string), as the API shows it. */
const locationAt = (n: number): Task['location'] => n % 4 === 0 ? { name: n % 8 === 0 ? null : `Site ${n % 10}`, latitude: (n % 180) - 89.5, longitude: (n % 360) - 179.25 } : null

/** Where the killed server keeps its tasks, and how to look at them past it. */
interface Storage {
  url: string
  /** Checks what the kill left, before the server starts again. */
  afterKill: (cycle: number) => void | Promise<void>
  /** How many tasks are stored, read past the server. */
  storedTasks: () => Promise<number>
}

/** Bursts of writes, each ended by SIGKILL, each followed by a restart that must show every acknowledged write. */
async function survivesKills (t: Test, storage: Storage) {

  /** Each task's last confirmed state: its last 2xx answer, or what a restart showed. */
  const known = new Map<number, Task>()
  /** A PATCH sent but not answered (in flight at the kill): it may have landed. */
  const unansweredPatch = new Map<number, TaskChanges>()
  /** Creates sent but not answered, by their (unique) title. */
  const unansweredCreates = new Map<string, TaskChanges>()
  /** Tasks with a PATCH in flight: one at a time per task, so their order is known. */
  const busy = new Set<number>()
  let totalAcknowledged = 0
  let totalLanded = 0
  let serial = 0

  const agentFor = () => new Agent({ keepAlive: true, maxSockets: WRITERS })

  /** After a restart: every acknowledged write is there, unchanged. */
  async function verify (server: RunningServer, cycle: number) {
    const agent = agentFor()
    try {
      let landedPatches = 0
      let mismatches = 0
      // The first few differences in detail; then only their count, below.
      const report = (fn: () => void) => { if (++mismatches <= 10) fn() }
      for (const [id, expected] of known) {
        const answer = await send(agent, server.url, 'GET', `/tasks/${id}`)
        const pending = unansweredPatch.get(id)
        if (answer.status !== 200) {
          report(() => t.fail(`cycle ${cycle}: acknowledged task ${id} is gone: ${answer.status} ${answer.text}`, { expected }))
          continue
        }
        const actual = JSON.parse(answer.text) as Task
        if (pending !== undefined && !isSame(actual, expected)) {
          // The only other acceptable state: the unanswered PATCH applied on top.
          const landed = { ...expected, ...pending }
          const ok = TASK_FIELDS.every((field) => actual[field] === landed[field]) && JSON.stringify(actual.location) === JSON.stringify(landed.location) &&
            actual.version === expected.version + 1 && actual.updated_at >= expected.updated_at
          if (ok) landedPatches++
          else report(() => t.fail(`cycle ${cycle}: task ${id} is neither as acknowledged nor as its unanswered PATCH would leave it`, { actual, expected, pending }))
        } else if (!isSame(actual, expected)) {
          report(() => t.same(actual, expected, `cycle ${cycle}: task ${id} as last acknowledged`))
        }
        known.set(id, actual)
      }
      unansweredPatch.clear()
      busy.clear()

      // Nothing else appeared: every task listed is known, or one of the
      // unanswered creates (each at most once).
      const listed = await listAll(agent, server.url)
      let landedCreates = 0
      let strangers = 0
      for (const task of listed) {
        const current = known.get(task.id)
        if (current !== undefined) {
          if (!isSame(task, current)) t.same(task, current, `cycle ${cycle}: task ${task.id} listed as fetched`)
          continue
        }
        const sent = unansweredCreates.get(task.title)
        if (sent === undefined) {
          strangers++
          t.fail(`cycle ${cycle}: task ${task.id} was never acknowledged nor sent as a create`, { task })
          continue
        }
        t.match(task, { ...sent, version: 1, deleted_at: null }, `cycle ${cycle}: unanswered create ${task.id} landed whole`)
        unansweredCreates.delete(task.title)
        known.set(task.id, task)
        landedCreates++
      }
      unansweredCreates.clear()
      t.equal(listed.length, known.size, `cycle ${cycle}: ${listed.length} tasks listed, all accounted for`)
      t.equal(mismatches, 0, `cycle ${cycle}: every acknowledged task is as acknowledged` +
        ` (${landedPatches} unanswered PATCHes and ${landedCreates} unanswered creates had landed)`)
      t.equal(strangers, 0, `cycle ${cycle}: no task appeared that was not written`)
      totalLanded += landedPatches + landedCreates
    } finally {
      agent.destroy()
    }
  }

  /** Writes until `acksBeforeKill` writes are acknowledged, then SIGKILLs the server mid-burst. */
  async function burstThenKill (server: RunningServer, cycle: number, acksBeforeKill: number) {
    const agent = agentFor()
    let acknowledged = 0
    let creates = 0
    let patches = 0
    let killed = false
    let inFlightAtKill = 0
    let inFlight = 0
    const unexpected: string[] = []

    const kill = () => {
      if (killed) return
      killed = true
      inFlightAtKill = inFlight
      server.process.kill('SIGKILL')
    }

    const writer = async (w: number) => {
      while (!killed) {
        const n = ++serial
        const ids = [...known.keys()].filter((id) => !busy.has(id) && !unansweredPatch.has(id))
        const patch = ids.length > 20 && n % 2 === 0
        try {
          if (!patch) {
            const body = {
              title: `crash c${cycle} w${w} n${n} «${'x'.repeat(n % 7)}»`,
              description: n % 3 === 0 ? null : `Created in cycle ${cycle} by writer ${w}, write ${n} — ünïcödé ✓`,
              status: STATUSES[n % STATUSES.length],
              priority: 1 + (n % 5),
              assignee: n % 4 === 0 ? null : `writer-${w}`,
              due_at: dueAt(n),
              location: locationAt(n)
            }
            unansweredCreates.set(body.title, body)
            inFlight++
            const answer = await send(agent, server.url, 'POST', '/tasks', body).finally(() => { inFlight-- })
            if (answer.status !== 201) {
              unexpected.push(`POST ${answer.status} ${answer.text}`)
              unansweredCreates.delete(body.title)
              continue
            }
            const task = JSON.parse(answer.text) as Task
            if (task.title !== body.title || task.version !== 1) unexpected.push(`POST answered another task: ${answer.text}`)
            unansweredCreates.delete(body.title)
            known.set(task.id, task)
            creates++
          } else {
            const id = ids[n % ids.length] as number
            const changes: TaskChanges = {
              title: `crash c${cycle} w${w} patch n${n}`,
              status: STATUSES[(n >> 1) % STATUSES.length],
              priority: 1 + ((n >> 1) % 5),
              ...(n % 3 === 0 ? { assignee: null } : { assignee: `patcher-${w}` }),
              ...(n % 5 === 0 ? { description: `Patched in cycle ${cycle}, write ${n}` } : {}),
              // Set, moved or cleared.
              ...(n % 7 < 3 ? { due_at: dueAt(n >> 1), location: locationAt(n >> 1) } : {})
            }
            busy.add(id)
            unansweredPatch.set(id, changes)
            inFlight++
            const answer = await send(agent, server.url, 'PATCH', `/tasks/${id}`, changes).finally(() => { inFlight-- })
            if (answer.status !== 200) {
              unexpected.push(`PATCH /tasks/${id} ${answer.status} ${answer.text}`)
              continue
            }
            const task = JSON.parse(answer.text) as Task
            if (task.id !== id || task.title !== changes.title) unexpected.push(`PATCH answered another task: ${answer.text}`)
            unansweredPatch.delete(id)
            busy.delete(id)
            known.set(id, task)
            patches++
          }
          // Acknowledged, even when the answer arrives just after the kill:
          // the server sent it, so it must have been stored.
          acknowledged++
          if (acknowledged >= acksBeforeKill) kill()
        } catch (error) {
          // A connection error is expected only once the server is killed.
          if (!killed) unexpected.push(`connection error before the kill: ${(error as Error).message}`)
        }
      }
    }

    try {
      const started = performance.now()
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
      const code = await server.exited
      t.equal(code, null, `cycle ${cycle}: the server was killed (no exit code)`)
      t.equal(server.process.signalCode, 'SIGKILL', `cycle ${cycle}: by SIGKILL`)
      t.same(unexpected, [], `cycle ${cycle}: every write answered 2xx until the kill`)
      t.ok(inFlightAtKill >= WRITERS / 2, `cycle ${cycle}: killed mid-burst, with ${inFlightAtKill} writes in flight`)
      t.pass(`cycle ${cycle}: ${acknowledged} writes acknowledged (${creates} creates, ${patches} patches) in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s; ${unansweredPatch.size + unansweredCreates.size} left unanswered`)
      totalAcknowledged += acknowledged
    } finally {
      agent.destroy()
    }
  }

  let server = await startServer(t, { DATABASE_URL: storage.url })
  for (const [index, acksBeforeKill] of ACKS_BEFORE_KILL.entries()) {
    const cycle = index + 1
    await burstThenKill(server, cycle, acksBeforeKill)
    await storage.afterKill(cycle)
    server = await startServer(t, { DATABASE_URL: storage.url })
    await verify(server, cycle)
  }

  t.equal(await server.stop(), 0, 'the last server stops cleanly on SIGTERM')
  t.equal(await storage.storedTasks(), known.size, 'the database holds exactly the tasks accounted for')
  t.pass(`${totalAcknowledged} acknowledged writes over ${ACKS_BEFORE_KILL.length} kills, all kept; ` +
    `${totalLanded} unanswered writes had landed; ${known.size} tasks in the end`)
}

t.test('SQLite: every acknowledged write survives SIGKILL mid-burst, and the file stays intact', async (t) => {
  const file = join(temporaryDirectory(t), 'tasks.db')
  await survivesKills(t, {
    url: file,
    // The file as the kill left it (its WAL not checkpointed) is consistent.
    afterKill: (cycle) => { t.equal(integrityCheck(file), 'ok', `cycle ${cycle}: integrity_check of the file as the kill left it`) },
    async storedTasks () {
      t.equal(integrityCheck(file), 'ok', 'integrity_check after the last, clean stop')
      const db = new BetterSqlite3(file, { readonly: true })
      try {
        return db.prepare('SELECT count(*) FROM tasks').pluck().get() as number
      } finally {
        db.close()
      }
    }
  })
})

t.test('PostgreSQL: every acknowledged write survives SIGKILL of the server mid-burst', async (t) => {
  const url = await postgresTestUrl(t)
  await survivesKills(t, {
    url,
    // The server's transactions in flight died with its connections; nothing to check until it is back.
    afterKill: () => {},
    async storedTasks () {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        return Number((await client.query<{ count: string }>('SELECT count(*) FROM tasks')).rows[0]?.count)
      } finally {
        await client.end()
      }
    }
  })
})

function isSame (actual: Task, expected: Task): boolean {
  // Keys sorted at every level, a location's too.
  const canonical = (task: Task) => JSON.stringify(task, (_, value: unknown) => value !== null && typeof value === 'object'
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a < b ? -1 : 1))
    : value)
  return canonical(actual) === canonical(expected)
}

/** PRAGMA integrity_check on a read-only connection to `file`. */
function integrityCheck (file: string): string {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check).join('\n')
  } finally {
    db.close()
  }
}
