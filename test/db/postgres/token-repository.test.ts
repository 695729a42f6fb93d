import t from 'tap'
import { MAX_PERSONAL_TOKENS, type RefreshGrant } from '../../../src/db/token-repository.js'
import type { StoredUser } from '../../../src/db/user-repository.js'
import { tokenRepositoryContract } from '../contracts/tokens.js'
import { openPostgres } from './open-database.js'
import { outcome, ROUNDS, twoInstances } from './two-instances.js'

tokenRepositoryContract(t, openPostgres)

const NOW = Date.parse('2026-12-01T12:00:00Z')
const HOUR = 3_600_000

t.test('two instances exchanging one refresh token at once: one gets its replacement, the other is reuse and revokes the family', async (t) => {
  const [one, two] = await twoInstances(t)
  const user = await one.users.create({ username: 'ada', email: null, displayName: 'Ada', role: 'member', passwordHash: 'h' }) as StoredUser
  for (let round = 0; round < ROUNDS; round++) {
    await one.tokens.createRefresh({ userId: user.id, family: `family-${round}`, tokenHash: `rt-${round}`, scopes: ['tasks:read'], credentialsGeneration: 1, expiresAt: NOW + HOUR }, NOW)
    const replacement = (instance: string) => ({ tokenHash: `rt-${round}-from-${instance}`, expiresAt: NOW + HOUR })
    const answers = await Promise.all([
      one.tokens.exchangeRefresh(`rt-${round}`, replacement('one'), [], NOW),
      two.tokens.exchangeRefresh(`rt-${round}`, replacement('two'), [], NOW)
    ])
    const [granted, refused] = outcome<RefreshGrant>(answers)
    t.same([granted.length, refused], [1, ['reused']])
    const issued = typeof answers[0] === 'string' ? replacement('two') : replacement('one')
    t.equal(await one.tokens.exchangeRefresh(issued.tokenHash, replacement('later'), [], NOW), 'invalid', 'the replacement was revoked with its family')
  }
})

t.test(`two instances creating a user's last personal token at once: only one fits under ${MAX_PERSONAL_TOKENS}`, async (t) => {
  const [one, two] = await twoInstances(t)
  const user = await one.users.create({ username: 'ada', email: null, displayName: 'Ada', role: 'member', passwordHash: 'h' }) as StoredUser
  const token = () => ({ userId: user.id, name: 'script', tokenHash: `pat-${Math.random()}`, scopes: ['tasks:read' as const], credentialsGeneration: 1, expiresAt: null })
  for (let index = 0; index < MAX_PERSONAL_TOKENS - 1; index++) await one.tokens.createPersonal(token(), NOW)
  for (let round = 0; round < ROUNDS; round++) {
    const [created, refused] = outcome(await Promise.all([one.tokens.createPersonal(token(), NOW), two.tokens.createPersonal(token(), NOW)]))
    t.same([created.length, refused], [1, ['limit-reached']])
    t.equal((await one.tokens.listPersonal(user.id, NOW)).length, MAX_PERSONAL_TOKENS)
    // Room for one again, for the next round.
    for (const { id } of created) await one.tokens.deletePersonal(user.id, id)
  }
})
