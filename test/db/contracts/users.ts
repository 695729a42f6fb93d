import type { Test } from 'tap'
import type { NewUser } from '../../../src/db/user-repository.js'
import type { OpenDatabase } from './open-database.js'

function newUser (username: string, fields: Partial<NewUser> = {}): NewUser {
  return { username, email: `${username}@example.com`, displayName: username.toUpperCase(), role: 'member', passwordHash: `hash of ${username}`, ...fields }
}

/** The contract of every UserRepository. */
export function userRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('a created user is found by id and by username in any case, with what was given', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada', { email: 'Ada@Example.com', role: 'admin' }))
    if (typeof ada === 'string') return t.fail(ada)
    t.match(ada, { username: 'ada', email: 'Ada@Example.com', display_name: 'ADA', role: 'admin', disabled: false, passwordHash: 'hash of ada', credentialsGeneration: 1 })
    t.equal(ada.created_at, ada.updated_at)
    t.same(await users.findById(ada.id), ada)
    t.same(await users.findByUsername('ADA'), ada, 'usernames are compared without regard to case')
    t.equal(await users.findByUsername('bob'), undefined)
    t.equal(await users.findById(999), undefined)
  })

  t.test('usernames and emails are unique, emails without regard to case; users without email are many', async (t) => {
    const { users } = await open(t)
    await users.create(newUser('ada'))
    t.equal(await users.create(newUser('ada', { email: 'other@example.com' })), 'username-taken')
    t.equal(await users.create(newUser('bob', { email: 'ADA@EXAMPLE.COM' })), 'email-taken')
    t.match(await users.create(newUser('cyd', { email: null })), { email: null })
    t.match(await users.create(newUser('dot', { email: null })), { email: null })
  })

  t.test('a user changes their email, name and password; a new password starts a new credentials generation', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada')) as Exclude<Awaited<ReturnType<typeof users.create>>, string>
    await users.create(newUser('bob'))
    t.equal(await users.update(ada.id, { email: 'BOB@example.com' }), 'email-taken')
    const renamed = await users.update(ada.id, { email: 'ADA@example.com', displayName: 'Ada L.' })
    t.match(renamed, { email: 'ADA@example.com', display_name: 'Ada L.', credentialsGeneration: 1 }, 'her own email in another case is hers to take')
    const rehashed = await users.update(ada.id, { passwordHash: 'new hash' })
    t.match(rehashed, { passwordHash: 'new hash', credentialsGeneration: 2 })
    t.same(await users.update(ada.id, {}), { ...rehashed as object, updated_at: (await users.findById(ada.id))?.updated_at }, 'no change but the time')
    t.equal(await users.update(999, { displayName: 'x' }), 'not-found')
  })

  t.test('an administrator changes roles and disables users; the last enabled administrator and the local user are kept', async (t) => {
    const { users } = await open(t)
    await users.create(newUser('root', { role: 'admin' }))
    await users.create(newUser('ada'))
    t.equal(await users.adminUpdate('root', { role: 'member' }), 'last-admin', 'the only administrator who can sign in stays one')
    t.equal(await users.adminUpdate('root', { disabled: true }), 'last-admin')
    t.match(await users.adminUpdate('ADA', { role: 'admin' }), { username: 'ada', role: 'admin' })
    const disabled = await users.adminUpdate('root', { disabled: true })
    t.match(disabled, { disabled: true, credentialsGeneration: 2 }, 'disabling starts a new credentials generation')
    t.equal(await users.adminUpdate('ada', { role: 'member' }), 'last-admin', 'a disabled administrator does not count')
    t.match(await users.adminUpdate('root', { disabled: false }), { disabled: false, credentialsGeneration: 2 }, 'enabling does not bring old tokens back')
    t.match(await users.adminUpdate('root', { disabled: false }), { credentialsGeneration: 2 }, 'enabling an enabled user changes nothing')
    t.equal(await users.adminUpdate('local', { role: 'member' }), 'built-in')
    t.equal(await users.adminUpdate('nobody', { disabled: true }), 'not-found')
  })

  t.test('users are listed by username, a page at a time, from an offset or after a username', async (t) => {
    const { users } = await open(t)
    for (const name of ['eve', 'ada', 'cyd', 'bob']) await users.create(newUser(name))
    const first = await users.list({ limit: 2, offset: 0 })
    t.same(first.items.map((user) => user.username), ['ada', 'bob'])
    t.same([first.total, first.hasMore], [5, true], 'the local user counts too')
    t.same((await users.list({ limit: 2, offset: 2 })).items.map((user) => user.username), ['cyd', 'eve'])
    const last = await users.list({ limit: 2, offset: 0, after: 'eve' })
    t.same([last.items.map((user) => user.username), last.hasMore], [['local'], false])
  })

  t.test('only users with a password can sign in: the local user has none', async (t) => {
    const { users } = await open(t)
    t.equal(await users.countWithPassword(), 0)
    await users.create(newUser('ada'))
    t.equal(await users.countWithPassword(), 1)
    t.match(await users.findByUsername('local'), { role: 'admin', passwordHash: null, email: null })
  })
}
