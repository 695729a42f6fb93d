import t from 'tap'
import { spawnSync } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT, temporaryDirectory } from '../helper.js'

// Each database's schema, and the folder of its committed migrations.
const DATABASES = [
  { dialect: 'sqlite', schema: './src/db/sqlite/schema.ts', migrations: 'migrations/sqlite' },
  { dialect: 'postgresql', schema: './src/db/postgres/schema.ts', migrations: 'migrations/postgres' }
]

for (const { dialect, schema, migrations } of DATABASES) {
  t.test(`the committed migrations in ${migrations}/ match ${schema}`, async (t) => {
    // drizzle-kit compares the schema with the latest migration snapshot; on a
    // copy of the migrations it must find nothing to generate.
    const work = temporaryDirectory(t)
    const out = join(work, 'migrations')
    cpSync(join(ROOT, migrations), out, { recursive: true })
    const result = spawnSync(join(ROOT, 'node_modules/.bin/drizzle-kit'), [
      'generate', '--dialect', dialect, '--schema', schema, '--out', relative(ROOT, out)
    ], {
      cwd: ROOT,
      encoding: 'utf8',
      // drizzle-kit bundles the schema its own way; its coverage would not map
      // back to src/, so it goes to a directory nobody reads.
      env: { ...process.env, NODE_V8_COVERAGE: join(work, 'coverage') }
    })
    t.equal(result.status, 0, result.stderr)
    t.match(result.stdout, /No schema changes, nothing to migrate/)
  })
}
