import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { generateTasks } from '../../src/db/generated-tasks.js'
import { runToExit, temporaryDirectory } from '../helper.js'

const SEED = 'src/db/seed.ts'
// Settings the script must not need when it is given a file.
const ENV = { DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** The one line a successful seed prints. */
const seeded = (count: number, file: string) => new RegExp(`^Seeded ${count} tasks into ${escape(file)} in \\d+\\.\\d s\\.\\n$`)

function storedTasks (path: string) {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return db.prepare('SELECT title, description, status, priority, assignee, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt, version, project_id AS projectId, created_by AS createdBy, notify_email AS notifyEmail, due_at AS dueAt, location_name AS locationName, location_latitude AS locationLatitude, location_longitude AS locationLongitude FROM tasks ORDER BY id').all()
  } finally {
    db.close()
  }
}

t.test('--count and --file fill a new file, creating its directory, with that many generated tasks', async (t) => {
  const file = join(temporaryDirectory(t), 'new', 'seeded.db')
  const { code, output } = await runToExit(SEED, ENV, ['--count', '50', '--file', file])
  t.equal(code, 0, output)
  t.match(output, seeded(50, file))
  t.same(storedTasks(file), [...generateTasks(50)], 'the same tasks as generateTasks(50)')
})

t.test('the --name=value form is understood too', async (t) => {
  const file = join(temporaryDirectory(t), 'seeded.db')
  const { code, output } = await runToExit(SEED, ENV, ['--count=3', `--file=${file}`])
  t.equal(code, 0, output)
  t.match(output, seeded(3, file))
  t.equal(storedTasks(file).length, 3)
})

t.test('without --file the database is DATABASE_URL\'s', async (t) => {
  const file = join(temporaryDirectory(t), 'from-env.db')
  const { code, output } = await runToExit(SEED, { ...ENV, DATABASE_URL: file }, ['--count', '20'])
  t.equal(code, 0, output)
  t.match(output, seeded(20, file))
  t.equal(storedTasks(file).length, 20)
})

t.test('without --count, 10000 tasks are seeded', async (t) => {
  const file = join(temporaryDirectory(t), 'default.db')
  const { code, output } = await runToExit(SEED, { ...ENV, DATABASE_URL: file })
  t.equal(code, 0, output)
  t.match(output, seeded(10000, file))
  t.equal(storedTasks(file).length, 10000)
})

t.test('a count that is not a positive whole number fails with exit 1 and the usage, creating nothing', async (t) => {
  const directory = temporaryDirectory(t)
  for (const count of ['0', '-5', '1.5', 'abc']) {
    const file = join(directory, `count-${count}.db`)
    const { code, output } = await runToExit(SEED, ENV, [`--count=${count}`, '--file', file])
    t.equal(code, 1, `--count "${count}"`)
    t.equal(output, `--count must be a positive whole number, not "${count}". Usage: npm run db:seed -- [--count N] [--file PATH]\n`)
    t.notOk(existsSync(file), 'no file is made')
  }
})

t.test('an unknown option, a stray argument or a missing value fails with exit 1 and the usage', async (t) => {
  const file = join(temporaryDirectory(t), 'never.db')
  for (const args of [['--bogus', '--file', file], ['--count', '5', 'extra', '--file', file], ['--file', file, '--count']]) {
    const { code, output } = await runToExit(SEED, ENV, args)
    t.equal(code, 1, args.join(' '))
    t.match(output, /Usage: npm run db:seed -- \[--count N\] \[--file PATH\]\n$/, args.join(' '))
  }
  t.notOk(existsSync(file))
})

t.test('seeding a file that already holds tasks fails with exit 1 and leaves it as it was', async (t) => {
  const file = join(temporaryDirectory(t), 'twice.db')
  t.equal((await runToExit(SEED, ENV, ['--count', '50', '--file', file])).code, 0)
  const { code, output } = await runToExit(SEED, ENV, ['--count', '10', '--file', file])
  t.equal(code, 1)
  t.equal(output, 'The database already holds 50 tasks; seed an empty one.\n')
  t.same(storedTasks(file), [...generateTasks(50)])
})

t.test('a bad setting fails with exit 1 when the database comes from the environment', async (t) => {
  const { code, output } = await runToExit(SEED, { ...ENV, LOG_LEVEL: 'shout' }, ['--count', '5'])
  t.equal(code, 1)
  t.match(output, /^Invalid setting LOG_LEVEL="shout": /)
})

t.test('a file that is not a database fails with exit 1', async (t) => {
  const file = join(temporaryDirectory(t), 'garbage.db')
  writeFileSync(file, 'garbage'.repeat(100))
  const { code, output } = await runToExit(SEED, ENV, ['--count', '5', '--file', file])
  t.equal(code, 1)
  t.match(output, /not a database/)
})
