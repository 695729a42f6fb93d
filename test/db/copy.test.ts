import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import t, { type Test } from 'tap'
import { opaqueTokenHash } from '../../src/auth/opaque-tokens.js'
import { generateTasks } from '../../src/db/generated-tasks.js'
import { openPostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { bulkInsertTasks } from '../../src/db/sqlite/bulk-insert.js'
import { openSqliteConnection } from '../../src/db/sqlite/sqlite-database.js'
import { bearer, build, createUser, runToExit, signIn, temporaryDirectory } from '../helper.js'
import { postgresTestUrl } from '../postgres.js'

const COPY = 'src/db/copy.ts'
const USAGE = 'Usage: npm run db:copy -- --from PATH --to URL'
const TABLES = ['users', 'projects', 'project_members', 'project_slug_redirects', 'tasks', 'task_comments', 'task_attachments', 'task_events', 'webhooks', 'webhook_deliveries', 'personal_tokens', 'refresh_tokens', 'idempotency_keys', 'server_secrets']

type Rows = Record<string, unknown[]>
const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort()

async function withTarget<T> (url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  // bigint (timestamps) as numbers, as the source holds them.
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => oid === 20 ? Number : pg.types.getTypeParser(oid, format) } })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** Every row of every copied table in the SQLite file, as PostgreSQL would hold it (booleans as booleans). */
function sourceRows (file: string): Rows {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return Object.fromEntries(TABLES.map((table) => {
      const rows = db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>
      return [table, sorted(table === 'users' ? rows.map((row) => ({ ...row, disabled: row.disabled === 1 })) : rows)]
    }))
  } finally {
    db.close()
  }
}

/** One value read from the SQLite file. */
function sourceValue (file: string, query: string, ...parameters: unknown[]): unknown {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return db.prepare(query).pluck().get(...parameters)
  } finally {
    db.close()
  }
}

/** Everything in the target a copy may change: rows, counters, indexes, triggers and where each identity stands. */
async function targetState (url: string) {
  return withTarget(url, async (client) => {
    const rows: Rows = {}
    for (const table of TABLES) rows[table] = sorted((await client.query(`SELECT * FROM ${table}`)).rows)
    const query = async (text: string) => (await client.query(text)).rows
    return {
      rows,
      counters: await query('SELECT status, priority, deleted, sum(total)::integer AS total FROM task_counts GROUP BY 1, 2, 3 HAVING sum(total) <> 0 ORDER BY 1, 2, 3'),
      counted: await query('SELECT status, priority, deleted_at IS NOT NULL AS deleted, count(*)::integer AS total FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'),
      indexes: await query('SELECT indexname, replace(indexdef, schemaname || \'.\', \'\') AS definition FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1'),
      triggers: await query('SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = \'tasks\'::regclass AND NOT tgisinternal ORDER BY 1'),
      identities: await query('SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1')
    }
  })
}

/** A new PostgreSQL database (a schema of its own) brought to the latest schema, as a server starting on it would leave it. */
async function migratedTarget (t: Test): Promise<string> {
  const url = await postgresTestUrl(t)
  await (await openPostgresDatabase(url, { poolSize: 1, poolTimeoutMs: 5000 })).close()
  return url
}

/** A SQLite file with this many generated tasks, loaded as db:seed loads them. */
function seededSource (t: Test, count: number): string {
  const file = join(temporaryDirectory(t), 'seeded.db')
  const db = openSqliteConnection(file)
  bulkInsertTasks(db, generateTasks(count))
  db.$client.close()
  return file
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

t.test('a copy answers on PostgreSQL exactly as the SQLite database did: users, passwords, tokens, projects, tasks, webhooks, the change log and idempotency keys', async (t) => {
  const file = join(temporaryDirectory(t), 'tasks.db')
  // Deliveries stay pending (no worker), so that the rows copied are the rows left.
  const settings = { WEBHOOK_ALLOW_PRIVATE: 'true', JOB_WORKER: 'off' }
  const source = await build(t, { DATABASE_URL: file, ...settings })
  const post = async (url: string, payload: unknown, token?: string, headers: Record<string, string> = {}) => {
    const response = await source.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { ...(token === undefined ? {} : bearer(token)), ...headers } })
    t.ok(response.statusCode < 300, `POST ${url}: ${response.body}`)
    return response.json()
  }
  const patch = async (url: string, payload: unknown, token?: string) => {
    const response = await source.inject({ method: 'PATCH', url, payload: payload as Record<string, unknown>, headers: token === undefined ? {} : bearer(token) })
    t.equal(response.statusCode, 200, `PATCH ${url}: ${response.body}`)
    return response.json()
  }
  await createUser(source, 'ada')
  await createUser(source, 'bob')
  await createUser(source, 'carol')
  const ada = await signIn(source, 'ada')
  const bob = await signIn(source, 'bob')
  await patch('/admin/users/carol', { disabled: true })
  // A profile: a bio, and a picture (the database holds only its hash and type).
  const bobId = (await source.db.users.findByUsername('bob') as { id: number }).id
  const bobAvatar = { sha256: 'cd'.repeat(32), contentType: 'image/png' }
  t.match(await source.db.users.update(bobId, { bio: 'Fuels the rockets.' }), { bio: 'Fuels the rockets.' })
  t.match(await source.db.users.setAvatar(bobId, bobAvatar), { previous: null, user: { avatarSha256: bobAvatar.sha256 } })
  const pat = await post('/users/me/tokens', { name: 'script', scopes: ['tasks:read', 'tasks:write'] }, ada.access_token)
  // The newest token is deleted: its id must not be handed out again.
  const deletedPat = await post('/users/me/tokens', { name: 'temporary', scopes: ['tasks:read'] }, ada.access_token)
  t.equal((await source.inject({ method: 'DELETE', url: `/users/me/tokens/${deletedPat.id}`, headers: bearer(ada.access_token) })).statusCode, 204)

  await post('/projects', { name: 'Apollo' }, ada.access_token)
  t.equal((await source.inject({ method: 'PUT', url: '/projects/apollo/members/bob', payload: { role: 'editor' }, headers: bearer(ada.access_token) })).statusCode, 201)
  const webhook = await post('/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['task.created', 'task.updated'], project: 'apollo' }, ada.access_token)
  const launch = await post('/tasks', { title: 'Launch', project: 'apollo', priority: 5, due_at: '2019-07-16T13:32:00Z', location: { name: 'Pad 39A', latitude: 28.6083, longitude: -80.6041 } }, ada.access_token)
  await patch('/projects/apollo', { slug: 'artemis', name: 'Artemis' }, ada.access_token)
  await post('/tasks', { title: 'Fuel', project: 'artemis', assignee: 'bob' }, bob.access_token)
  await post(`/tasks/${launch.id}/comments`, { body: 'Fuelled and ready' }, bob.access_token)
  const adaStored = await source.db.users.findByUsername('ada') as { id: number, role: string }
  const adaViewer = { userId: adaStored.id, username: 'ada', admin: adaStored.role === 'admin' }
  t.match(await source.db.attachments.create(adaViewer, launch.id, [{ filename: 'checklist.pdf', size: 2048, contentType: 'application/pdf', sha256: 'ab'.repeat(32) }], 10), [{ id: Number }])
  const note = await post('/tasks', { title: 'Private note', description: 'Only mine' }, ada.access_token)
  await patch(`/tasks/${note.id}`, { status: 'in_progress' }, ada.access_token)
  await patch(`/tasks/${note.id}`, { status: 'done' }, ada.access_token)
  await post('/tasks', { title: 'Local plan' })
  const dropped = await post('/tasks', { title: 'Dropped idea', status: 'cancelled' })
  t.equal((await source.inject({ method: 'DELETE', url: `/tasks/${dropped.id}` })).statusCode, 204)
  const retried = { title: 'Sent twice', priority: 1 }
  const first = await post('/tasks', retried, ada.access_token, { 'idempotency-key': 'retry-1' })
  t.equal(launch.version, 1)

  const observe = async (app: typeof source) => {
    const get = async (url: string, token?: string) => {
      const response = await app.inject({ method: 'GET', url, headers: token === undefined ? {} : bearer(token) })
      t.equal(response.statusCode, 200, `GET ${url}: ${response.body}`)
      return response.json()
    }
    return {
      tasks: await get('/tasks?include_deleted=true&limit=100&sort_by=title&sort_order=asc'),
      byDueTime: (await get('/tasks?include_deleted=true&limit=100&sort_by=due_at&sort_order=asc')).items.map((task: { id: number }) => task.id),
      totals: [(await get('/tasks')).total, (await get('/tasks?status=done')).total, (await get('/tasks?include_deleted=true')).total, (await get('/tasks?overdue=true')).total],
      adaTasks: await get('/tasks?limit=100', pat.token),
      users: await get('/admin/users?limit=100'),
      projects: await get('/projects'),
      members: await get('/projects/artemis/members'),
      comments: await get(`/tasks/${launch.id}/comments`, ada.access_token),
      attachments: await app.db.attachments.list(adaViewer, launch.id, { limit: 10, offset: 0 }),
      tokens: (await get('/users/me/tokens', ada.access_token)),
      webhooks: await get('/webhooks', ada.access_token),
      deliveries: await get(`/webhooks/${webhook.id as number}/deliveries`, ada.access_token)
    }
  }
  const before = await observe(source)
  t.equal(before.tasks.items.length, 6)
  t.equal(before.byDueTime[0], launch.id, 'the task with a due time first')
  t.equal(before.totals[3], 1, 'and it is overdue')
  t.match(before.attachments, { items: [{ filename: 'checklist.pdf', size: 2048, created_by: 'ada' }], total: 1 })
  t.equal(before.deliveries.items.length, 3, 'apollo\'s creation, rename and new task, each to its webhook')
  const lastEvent = await source.db.events.latest()
  await source.close()

  // A server started on the target before the copy left its own secret there: the source's replaces it.
  const url = await postgresTestUrl(t)
  const early = await build(t, { DATABASE_URL: url })
  t.ok(await early.db.secrets.getOrCreate('jwt', 'unused'))
  await early.close()

  const copy = await runToExit(COPY, {}, ['--from', file, '--to', url])
  t.equal(copy.code, 0, copy.output)
  t.match(copy.output, new RegExp(`^Copied ${escape(file)} to postgres://\\S+ in \\d+\\.\\d s; every table holds as many rows as the source's, and the task counters agree:\\n`))
  t.match(copy.output, /\n {2}users {19} {9}4\n {2}projects {16} {9}1\n/)
  t.match(copy.output, /\n {2}tasks {19} {9}6\n/)
  t.same((await targetState(url)).rows, sourceRows(file), 'every row of every table, as it was')

  const target = await build(t, { DATABASE_URL: url, ...settings })
  t.same(await observe(target), before, 'the same tasks, users, projects, members and tokens, seen by the same users with the same tokens')
  t.equal((await target.inject({ method: 'GET', url: '/projects/apollo' })).headers.location, '/projects/artemis', 'the old slug still redirects')

  // Profiles too, and the pictures they refer to are still referred to.
  t.match(await target.db.users.findByUsername('bob'), { bio: 'Fuels the rockets.', avatarSha256: bobAvatar.sha256, avatarType: 'image/png', avatar_url: `/users/bob/avatar?v=${'cd'.repeat(8)}` })
  t.same(await target.db.users.referencedAvatars([bobAvatar.sha256, 'ef'.repeat(32)]), new Set([bobAvatar.sha256]))

  // Passwords, tokens and keys are what they were.
  const stored = await target.db.users.findByUsername('ada')
  t.match(stored?.passwordHash, /^\$argon2id\$/)
  t.equal(stored?.passwordHash, sourceValue(file, 'SELECT password_hash FROM users WHERE username = ?', 'ada'))
  t.ok(await signIn(target, 'ada'), 'ada signs in with her password')
  const carol = await target.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password&username=carol&password=carol%20password' })
  t.equal(carol.statusCode, 400, 'carol is still disabled')
  t.match(await target.db.tokens.findPersonal(opaqueTokenHash(pat.token), Date.now()), { token: { id: pat.id, name: 'script' }, user: { username: 'ada' } })
  t.equal((await target.inject({ method: 'GET', url: '/users/me', headers: bearer(ada.access_token) })).json().username, 'ada', 'an access token signed before the copy is still valid')
  const refreshed = await target.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=refresh_token&refresh_token=${encodeURIComponent(bob.refresh_token)}` })
  t.equal(refreshed.statusCode, 200, 'a refresh token from before the copy is exchanged')
  t.match(await target.db.idempotency.find(stored?.id as number, 'retry-1', Date.now()), { status: 201 })
  const replayed = await target.inject({ method: 'POST', url: '/tasks', payload: retried, headers: { ...bearer(ada.access_token), 'idempotency-key': 'retry-1' } })
  t.same([replayed.statusCode, replayed.json()], [201, first], 'a retried request is answered as the first was')

  // A feed resumes on the new database from the last event it had on the old one.
  t.equal(await target.db.events.latest(), lastEvent, 'the change log is there, numbered as it was')

  // New rows continue after the copied ones, and the counters keep up.
  const next = await target.inject({ method: 'POST', url: '/tasks', payload: { title: 'After the move' } })
  t.equal(await target.db.events.latest(), lastEvent + 1, 'and so do its events')
  t.equal(next.json().id, Math.max(...before.tasks.items.map((task: { id: number }) => task.id)) + 1)
  const nextPat = await target.inject({ method: 'POST', url: '/users/me/tokens', payload: { name: 'new', scopes: ['tasks:read'] }, headers: bearer(ada.access_token) })
  t.equal(nextPat.json().id, deletedPat.id + 1, 'the id of a deleted token is not given again')
  t.equal((await target.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json().total, 7)
  const after = await targetState(url)
  t.same(after.counters, after.counted, 'the counters match the rows')
  t.same(after.triggers.map(({ tgenabled }) => tgenabled), ['O', 'O', 'O'], 'the counting triggers are on again')
  t.same(after.indexes, (await targetState(await migratedTarget(t))).indexes, 'every index is there, as the migrations made it')
})

t.test('2500 generated tasks are copied in batches, streamed, with their counters', async (t) => {
  const file = seededSource(t, 2500)
  const url = await postgresTestUrl(t)
  const { code, output } = await runToExit(COPY, {}, [`--from=${file}`, `--to=${url}`])
  t.equal(code, 0, output)
  t.match(output, /\n {2}tasks {19} {6}2500\n/)
  const state = await targetState(url)
  t.same(state.rows, sourceRows(file))
  t.same(state.counters, state.counted)
  const target = await build(t, { DATABASE_URL: url })
  t.equal((await target.inject({ method: 'GET', url: '/tasks?include_deleted=true' })).json().total, 2500)
  t.equal((await target.inject({ method: 'GET', url: '/tasks' })).json().total, [...generateTasks(2500)].filter((task) => task.deletedAt === null).length)
})

t.test('a target that holds anything but a new database holds is refused and left as it was', async (t) => {
  const file = seededSource(t, 10)
  const withUser = await migratedTarget(t)
  const database = await openPostgresDatabase(withUser, { poolSize: 1, poolTimeoutMs: 5000 })
  await database.users.create({ username: 'dana', email: null, displayName: 'Dana', role: 'member', passwordHash: 'hash' })
  await database.close()
  const copiedOnce = await postgresTestUrl(t)
  t.equal((await runToExit(COPY, {}, ['--from', file, '--to', copiedOnce])).code, 0)

  for (const [url, held] of [[withUser, 'users'], [copiedOnce, 'tasks']] as const) {
    const before = await targetState(url)
    const { code, output } = await runToExit(COPY, {}, ['--from', file, '--to', url])
    t.equal(code, 1)
    t.equal(output, `The target database is not empty: it holds rows in ${held}. db:copy only fills a new database, whose only user is the built-in one. Nothing was copied.\n`)
    t.same(await targetState(url), before, 'nothing changed')
  }
})

t.test('a failure halfway through rolls the whole copy back', async (t) => {
  const file = seededSource(t, 2500)
  const url = await migratedTarget(t)
  await withTarget(url, (client) => client.query(`
    CREATE FUNCTION fail_halfway() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id = 1500 THEN RAISE EXCEPTION 'could not extend file' USING DETAIL = 'No space left on device'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fail_halfway BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION fail_halfway()`))
  const before = await targetState(url)
  const { code, output } = await runToExit(COPY, {}, ['--from', file, '--to', url])
  t.equal(code, 1)
  t.equal(output, 'could not extend file. No space left on device. Nothing was copied.\n')
  t.same(await targetState(url), before, 'no row, and the indexes, triggers and identities as they were')
})

t.test('a copy that does not match the source is rolled back', async (t) => {
  const file = seededSource(t, 20)
  const url = await migratedTarget(t)
  // Rows lost on the way, and others changed.
  await withTarget(url, (client) => client.query(`
    CREATE FUNCTION mangle() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id % 2 = 0 THEN RETURN NULL; END IF;
      NEW.status := 'done';
      RETURN NEW;
    END $$;
    CREATE TRIGGER mangle BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION mangle()`))
  const before = await targetState(url)
  const { code, output } = await runToExit(COPY, {}, ['--from', file, '--to', url])
  t.equal(code, 1)
  t.match(output, /^The copy does not match the source: tasks has 10 rows, the source 20; the counter of tasks \w+, priority \d( |, deleted )says \d+, the source has \d+; .*\. Nothing was copied\.\n$/)
  t.same(await targetState(url), before)
})

t.test('a missing source is an error, and no file is made', async (t) => {
  const missing = join(temporaryDirectory(t), 'missing.db')
  const { code, output } = await runToExit(COPY, {}, ['--from', missing, '--to', await postgresTestUrl(t)])
  t.equal(code, 1)
  t.equal(output, `There is no database at ${missing}.\n`)
  t.notOk(existsSync(missing))
})

t.test('a source that is not a database is an error', async (t) => {
  const file = join(temporaryDirectory(t), 'garbage.db')
  writeFileSync(file, 'garbage'.repeat(100))
  const { code, output } = await runToExit(COPY, {}, ['--from', file, '--to', await postgresTestUrl(t)])
  t.equal(code, 1)
  t.match(output, /not a database/)
})

t.test('bad arguments fail with exit 1 and the usage, and never show a password', async (t) => {
  const file = seededSource(t, 1)
  const cases: Array<[string, string[], string]> = [
    ['no arguments', [], `Give the SQLite file to copy (--from) and the PostgreSQL database to fill (--to). ${USAGE}`],
    ['no --to', ['--from', file], `Give the SQLite file to copy (--from) and the PostgreSQL database to fill (--to). ${USAGE}`],
    ['no --from', ['--to', 'postgres://app:sekret@db/tasks'], `Give the SQLite file to copy (--from) and the PostgreSQL database to fill (--to). ${USAGE}`],
    ['a missing value', ['--to', 'postgres://app:sekret@db/tasks', '--from'], `Option '--from <value>' argument missing. ${USAGE}`],
    ['an unknown option', ['--from', file, '--to', 'postgres://db/tasks', '--force'], `Unknown option '--force'. ${USAGE}`],
    ['a stray argument', ['--from', file, '--to', 'postgres://db/tasks', 'extra'], `Unexpected argument 'extra'. This command does not take positional arguments. ${USAGE}`],
    ['a target that is not PostgreSQL', ['--from', file, '--to', 'mysql://app:sekret@db/tasks'], `--to must be a postgres:// or postgresql:// URL. ${USAGE}`],
    ['a target that is no URL', ['--from', file, '--to', 'postgres://app:sekret@db:port/tasks'], `--to must be a postgres:// or postgresql:// URL. ${USAGE}`],
    ['a source that is PostgreSQL', ['--from', 'postgres://app:sekret@db/old', '--to', 'postgres://db/tasks'], `--from must be a SQLite file: db:copy moves a SQLite database to PostgreSQL. ${USAGE}`]
  ]
  for (const [name, args, message] of cases) {
    const { code, output } = await runToExit(COPY, {}, args)
    t.equal(code, 1, name)
    t.equal(output, `${message}\n`, name)
  }
  const unreachable = await runToExit(COPY, {}, ['--from', file, '--to', 'postgres://app:sekret@127.0.0.1:1/tasks'])
  t.equal(unreachable.code, 1)
  t.match(unreachable.output, /ECONNREFUSED/)
  t.notMatch(unreachable.output, /sekret/, 'the password is not shown')
})
