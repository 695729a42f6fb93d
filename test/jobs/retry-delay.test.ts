import t from 'tap'
import { MAX_RETRY_DELAY_MS, retryDelay } from '../../src/jobs/retry-delay.js'

t.test('the wait doubles with each failed attempt, less up to half at random, and never passes an hour', async (t) => {
  t.same([1, 2, 3, 4].map((attempts) => retryDelay(attempts, 1000, () => 0)), [1000, 2000, 4000, 8000], 'with nothing taken off')
  t.same([1, 2, 3, 4].map((attempts) => retryDelay(attempts, 1000, () => 1)), [500, 1000, 2000, 4000], 'with the most taken off')
  t.equal(retryDelay(40, 1000, () => 0), MAX_RETRY_DELAY_MS)
  for (let attempts = 1; attempts <= 12; attempts++) {
    const delay = retryDelay(attempts, 1000)
    const full = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** (attempts - 1))
    t.ok(delay >= full / 2 && delay <= full, `attempt ${attempts}: ${delay} ms`)
  }
})
