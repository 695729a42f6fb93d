import t from 'tap'
import type { StoredJob } from '../../../src/db/job-repository.js'
import { jobRepositoryContract } from '../contracts/jobs.js'
import { openPostgres } from './open-database.js'
import { twoInstances } from './two-instances.js'

jobRepositoryContract(t, openPostgres)

t.test('two instances claiming at once never take the same job', async (t) => {
  const [one, two] = await twoInstances(t)
  const now = Date.now()
  const jobs = await one.jobs.enqueue(Array.from({ length: 200 }, (_, index) => ({ kind: 'email' as const, payload: { to: `${index}@example.com` } })), now)
  const claimed: StoredJob[] = []
  const claimAll = async (db: typeof one, worker: string) => {
    for (;;) {
      const batch = await db.jobs.claim({ worker, limit: 3, leaseMs: 60_000, maxAttempts: 3, now })
      if (batch.length === 0) return
      claimed.push(...batch)
    }
  }
  await Promise.all([claimAll(one, 'one-a'), claimAll(one, 'one-b'), claimAll(two, 'two-a'), claimAll(two, 'two-b')])
  t.equal(claimed.length, jobs.length, 'every job was claimed')
  t.equal(new Set(claimed.map(({ id }) => id)).size, jobs.length, 'and none twice')
})
