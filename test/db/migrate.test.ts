import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { runToExit, temporaryDirectory } from '../helper.js'

t.test('npm run db:migrate\'s script brings a new database file up to date', async (t) => {
  const path = join(temporaryDirectory(t), 'fresh', 'tasks.db')
  const { code, output } = await runToExit('src/db/migrate.ts', { DATABASE_URL: path })
  t.equal(code, 0)
  t.match(output, `Database ${path} is up to date.`)
  const db = new BetterSqlite3(path, { readonly: true })
  t.teardown(() => db.close())
  t.ok(db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\' AND name = \'tasks\'').get())
})

t.test('the migrate script fails with exit 1 on a bad setting or an unusable file', async (t) => {
  const badSetting = await runToExit('src/db/migrate.ts', { DATABASE_URL: ':memory:', LOG_LEVEL: 'shout' })
  t.equal(badSetting.code, 1)
  t.match(badSetting.output, /^Invalid setting LOG_LEVEL="shout": /)

  const path = join(temporaryDirectory(t), 'garbage.db')
  writeFileSync(path, 'garbage'.repeat(100))
  const unusable = await runToExit('src/db/migrate.ts', { DATABASE_URL: path })
  t.equal(unusable.code, 1)
  t.match(unusable.output, /not a database/)
})
