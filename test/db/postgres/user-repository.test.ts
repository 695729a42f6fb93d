import t from 'tap'
import { userRepositoryContract } from '../contracts/users.js'
import { openPostgres } from './open-database.js'
import { outcome, ROUNDS, twoInstances } from './two-instances.js'

userRepositoryContract(t, openPostgres)

t.test('two instances creating one username at once: one creates the user, the other is told it is taken', async (t) => {
  const [one, two] = await twoInstances(t)
  for (let round = 0; round < ROUNDS; round++) {
    const user = { username: `ada${round}`, email: null, displayName: 'Ada', role: 'member' as const, passwordHash: 'h' }
    const [created, refused] = outcome(await Promise.all([one.users.create(user), two.users.create(user)]))
    t.same([created.length, refused], [1, ['username-taken']])
  }
  t.equal((await one.users.list({ limit: 100, offset: 0 })).total, ROUNDS + 1, 'one user a round, and the local user')
})

t.test('two instances taking one email at once: one has it, the other is told it is taken', async (t) => {
  const [one, two] = await twoInstances(t)
  for (let round = 0; round < ROUNDS; round++) {
    const email = `ada${round}@example.com`
    const user = (username: string) => ({ username, email, displayName: 'Ada', role: 'member' as const, passwordHash: 'h' })
    const [created, refused] = outcome(await Promise.all([one.users.create(user(`ada${round}`)), two.users.create(user(`bob${round}`))]))
    t.same([created.length, refused], [1, ['email-taken']])
  }
})

t.test('two instances demoting the last two administrators at once: one stays, the other change is refused', async (t) => {
  const [one, two] = await twoInstances(t)
  let admin = 'root'
  await one.users.create({ username: admin, email: null, displayName: 'Root', role: 'admin', passwordHash: 'h' })
  for (let round = 0; round < ROUNDS; round++) {
    const other = `admin${round}`
    await one.users.create({ username: other, email: null, displayName: 'Admin', role: 'admin', passwordHash: 'h' })
    const answers = await Promise.all([one.users.adminUpdate(admin, { role: 'member' }), two.users.adminUpdate(other, { disabled: true })])
    const [changed, refused] = outcome(answers)
    t.same([changed.length, refused], [1, ['last-admin']])
    // Whoever was refused is the administrator left.
    admin = answers[0] === 'last-admin' ? admin : other
  }
  const admins = (await one.users.list({ limit: 100, offset: 0 })).items.filter((user) => user.role === 'admin' && !user.disabled && user.username !== 'local')
  t.same(admins.map((user) => user.username), [admin], 'one enabled administrator is left')
})
