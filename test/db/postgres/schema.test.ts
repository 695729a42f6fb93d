import t from 'tap'
import { spawnSync } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT, temporaryDirectory } from '../../helper.js'

t.test('the committed migrations match the schema in src/db/postgres/schema.ts', async (t) => {
  // drizzle-kit compares the schema with the latest migration snapshot; on a
  // copy of migrations/postgres/ it must find nothing to generate.
  const work = temporaryDirectory(t)
  const out = join(work, 'migrations')
  cpSync(join(ROOT, 'migrations/postgres'), out, { recursive: true })
  const result = spawnSync(join(ROOT, 'node_modules/.bin/drizzle-kit'), [
    'generate', '--dialect', 'postgresql', '--schema', './src/db/postgres/schema.ts', '--out', relative(ROOT, out)
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
