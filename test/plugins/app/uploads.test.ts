import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import t from 'tap'
import { build, runToExit, temporaryDirectory } from '../../helper.js'

const OLD = new Date(Date.now() - 3_600_000)

t.test('the start-up sweep removes temporary files older than UPLOAD_GRACE_MS and keeps younger ones', async (t) => {
  const uploads = temporaryDirectory(t)
  mkdirSync(join(uploads, 'tmp'))
  writeFileSync(join(uploads, 'tmp', 'crashed.part'), 'an upload cut short an hour ago')
  utimesSync(join(uploads, 'tmp', 'crashed.part'), OLD, OLD)
  writeFileSync(join(uploads, 'tmp', 'in-progress.part'), 'another instance\'s upload')
  const app = await build(t, { UPLOADS_DIR: uploads, UPLOAD_GRACE_MS: '60000' })
  // Closing waits for the sweep under way.
  await app.close()
  t.same(readdirSync(join(uploads, 'tmp')), ['in-progress.part'])
})

t.test('a sweep that fails is logged, not thrown, and removes nothing', async (t) => {
  const uploads = temporaryDirectory(t)
  const app = await build(t, { UPLOADS_DIR: uploads, UPLOAD_GRACE_MS: '0' })
  // After the start-up sweep, a file nobody refers to.
  await app.sweepUploads()
  const orphan = join(uploads, 'blobs', 'ab', 'ab', 'ab'.repeat(32))
  mkdirSync(dirname(orphan), { recursive: true })
  writeFileSync(orphan, 'nobody\'s')
  utimesSync(orphan, OLD, OLD)
  // A database that cannot say which files are referred to: nothing may be removed.
  await app.db.close()
  await t.resolves(app.sweepUploads())
  t.ok(existsSync(orphan), 'the file is where it was')
})

t.test('an upload directory that cannot be made fails the start', async (t) => {
  const parent = temporaryDirectory(t)
  writeFileSync(join(parent, 'a-file'), '')
  const { code, output } = await runToExit('src/server.ts', { PORT: '0', DATABASE_URL: ':memory:', UPLOADS_DIR: join(parent, 'a-file', 'uploads') })
  t.equal(code, 1)
  t.match(output, /ENOTDIR/)
})
