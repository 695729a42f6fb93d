import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, createUser, signIn } from '../../helper.js'

t.test('expired refresh tokens are forgotten in the background', async (t) => {
  const app = await build(t, { REFRESH_TOKEN_TTL_SECONDS: '1' })
  await createUser(app, 'ada')
  await signIn(app, 'ada')
  // The purge runs every REFRESH_TOKEN_TTL_SECONDS here: after two, the token has expired and been purged.
  await sleep(2200)
  t.equal(await app.db.tokens.purgeExpired(Date.now()), 0, 'nothing left for a purge to find')
})
