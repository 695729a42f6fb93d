import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import t from 'tap'
import { runToExit, startServer, temporaryDirectory } from '../helper.js'

const BACKUP = 'src/db/backup.ts'
const ENV = { LOG_LEVEL: 'silent' }

t.test('a backup taken while the server writes is a consistent copy that a server can run on', async (t) => {
  const directory = temporaryDirectory(t)
  const source = join(directory, 'tasks.db')
  const target = join(directory, 'backup.db')
  const server = await startServer(t, { DATABASE_URL: source })

  // Writes keep coming for as long as the backup runs.
  let writing = true
  let acknowledged = 0
  const writer = (async () => {
    while (writing) {
      const batch = await Promise.all(Array.from({ length: 8 }, (_, index) => fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Written during the backup ${acknowledged} ${index}`, description: 'x'.repeat(500) })
      })))
      acknowledged += batch.filter((response) => response.status === 201).length
    }
  })()
  while (acknowledged < 200) await new Promise((resolve) => setTimeout(resolve, 20))
  const backup = await runToExit(BACKUP, { ...ENV, DATABASE_URL: source }, [target])
  writing = false
  await writer

  t.equal(backup.code, 0, backup.output)
  t.match(backup.output, /Backed up .* \(\d+ tasks, [\d.]+ MB\) to .*backup\.db/)
  const copy = new BetterSqlite3(target, { readonly: true })
  t.teardown(() => copy.close())
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok')
  const tasks = copy.prepare('SELECT count(*) FROM tasks').pluck().get() as number
  t.ok(tasks >= 200 && tasks <= acknowledged, `${tasks} tasks: at least those written before it started, at most all`)
  // One moment's state: the counters and the search index agree with the rows.
  t.equal(copy.prepare('SELECT sum(total) FROM task_counts').pluck().get(), tasks, 'the counters match the rows')
  t.equal(copy.prepare('SELECT count(*) FROM tasks_search WHERE tasks_search MATCH \'dur\'').pluck().get(), tasks, 'the search index matches the rows')
  const ids = copy.prepare('SELECT id FROM tasks ORDER BY id').pluck().all() as number[]
  t.same(ids, Array.from({ length: tasks }, (_, index) => index + 1), 'the first tasks in order, with no gap')
  await server.stop()

  // Restoring is starting a server on the copy.
  const restored = await startServer(t, { DATABASE_URL: target })
  t.equal((await fetch(`${restored.url}/health`)).status, 200)
  t.equal(((await (await fetch(`${restored.url}/tasks`)).json()) as { total: number }).total, tasks)
  t.equal(await restored.stop(), 0)
})

t.test('a backup refuses to overwrite a file, to run without a path, without a database, or on PostgreSQL', async (t) => {
  const directory = temporaryDirectory(t)
  const existing = join(directory, 'existing.db')
  writeFileSync(existing, 'keep me')
  const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
    ['no path', { DATABASE_URL: existing }, [], /Give one path.*Usage: npm run db:backup -- PATH/],
    ['two paths', { DATABASE_URL: existing }, ['a.db', 'b.db'], /Give one path/],
    ['an unknown option', { DATABASE_URL: existing }, ['--fast', join(directory, 'x.db')], /Unknown option.*Usage/],
    ['an existing target', { DATABASE_URL: existing }, [existing], /already exists; a backup never overwrites/],
    ['no database', { DATABASE_URL: join(directory, 'missing.db') }, [join(directory, 'copy.db')], /There is no database at/],
    ['an in-memory database', { DATABASE_URL: ':memory:' }, [join(directory, 'copy.db')], /:memory:/],
    ['a PostgreSQL database', { DATABASE_URL: 'postgres://tasks:secret@db.internal:5432/tasks' }, [join(directory, 'copy.db')], /PostgreSQL database.*pg_dump --format=custom/],
    ['a target directory that does not exist', { DATABASE_URL: existing }, [join(directory, 'nowhere', 'copy.db')], /directory does not exist/]
  ]
  for (const [name, env, args, message] of cases) {
    const { code, output } = await runToExit(BACKUP, { ...ENV, ...env }, args)
    t.equal(code, 1, name)
    t.match(output, message, name)
  }
})
