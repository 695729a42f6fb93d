import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { build } from '../../helper.js'

function assertOverloaded (t: Test, response: { statusCode: number, headers: Record<string, unknown>, json: () => any }, measure: RegExp) {
  t.equal(response.statusCode, 503)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(response.headers['retry-after'], '10')
  t.match(response.json(), { type: 'https://example.com/errors/overloaded', title: 'Server overloaded', status: 503, detail: measure })
}

t.test('past its memory limit the server turns requests away with a 503 problem and Retry-After', async (t) => {
  const app = await build(t, { MAX_HEAP_USED_BYTES: '1' })
  // Memory is measured once a second.
  await sleep(1200)
  assertOverloaded(t, await app.inject({ method: 'GET', url: '/tasks' }), /heap in use/)
  assertOverloaded(t, await app.inject({ method: 'POST', url: '/tasks', payload: { title: 'Not now' } }), /heap in use/)
  assertOverloaded(t, await app.inject({ method: 'GET', url: '/health' }), /heap in use/)
})

t.test('an event loop blocked past its limit turns requests away until it catches up', async (t) => {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '200' })
  await sleep(1200)
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 200, 'before: served')
  // Keep the loop lagging past the limit, as runaway requests would, for
  // longer than one measurement: the mean delay of a whole second counts.
  let lagging
  for (let round = 0; round < 12 && lagging?.statusCode !== 503; round++) {
    const until = Date.now() + 400
    while (Date.now() < until);
    await new Promise((resolve) => setImmediate(resolve))
    if (round >= 4) lagging = await app.inject({ method: 'GET', url: '/tasks' })
  }
  assertOverloaded(t, lagging as NonNullable<typeof lagging>, /event-loop delay/)
  let status = 503
  for (let attempt = 0; attempt < 20 && status === 503; attempt++) {
    await sleep(250)
    status = (await app.inject({ method: 'GET', url: '/tasks' })).statusCode
  }
  t.equal(status, 200, 'served again once the loop has caught up')
})

t.test('with the limits at 0 nothing is turned away', async (t) => {
  const app = await build(t, { MAX_HEAP_USED_BYTES: '0', MAX_EVENT_LOOP_DELAY_MS: '0', MAX_RSS_BYTES: '0' })
  await sleep(1200)
  t.equal((await app.inject({ method: 'GET', url: '/tasks' })).statusCode, 200)
})
