import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import type { NewUser, StoredUser } from '../../../src/db/user-repository.js'
import type { OpenDatabase } from './open-database.js'

function newUser (username: string, fields: Partial<NewUser> = {}): NewUser {
  return { username, email: `${username}@example.com`, displayName: username.toUpperCase(), role: 'member', passwordHash: `hash of ${username}`, ...fields }
}

/** The SHA-256 of some made-up picture, in hex, as the blob store names it. */
const sha256 = (content: string) => createHash('sha256').update(content).digest('hex')

/** Long enough for the clock to move, so that a change's updated_at is later. */
const tick = () => sleep(5)

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

  t.test('a user writes a bio, which stays while not given and goes with null', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada')) as StoredUser
    t.match(ada, { bio: null, avatar_url: null, avatarSha256: null, avatarType: null }, 'a new user has neither')
    await tick()
    const written = await users.update(ada.id, { bio: 'Writes the engines\' programs.' }) as StoredUser
    t.equal(written.bio, 'Writes the engines\' programs.')
    t.ok(written.updated_at > ada.updated_at, 'a change of bio is a change of the user')
    t.match(await users.update(ada.id, { displayName: 'Ada L.', bio: undefined }), { display_name: 'Ada L.', bio: 'Writes the engines\' programs.' }, 'undefined keeps it')
    t.match(await users.update(ada.id, {}), { bio: 'Writes the engines\' programs.' })
    await tick()
    const cleared = await users.update(ada.id, { bio: null }) as StoredUser
    t.equal(cleared.bio, null, 'null removes it')
    t.ok(cleared.updated_at > written.updated_at)
    t.same(await users.findById(ada.id), cleared)
    t.same(await users.findByUsername('ada'), cleared)
    t.equal(await users.update(999, { bio: 'x' }), 'not-found')
  })

  t.test('a user is given a picture, another, then none: each change answers the picture it replaced', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada')) as StoredUser
    const bob = await users.create(newUser('bob')) as StoredUser
    const first = sha256('first picture')
    const second = sha256('second picture')
    await tick()
    const given = await users.setAvatar(ada.id, { sha256: first, contentType: 'image/png' })
    if (given === 'not-found') return t.fail(given)
    t.equal(given.previous, null, 'she had none')
    t.match(given.user, { username: 'ada', avatarSha256: first, avatarType: 'image/png', avatar_url: `/users/ada/avatar?v=${first.slice(0, 16)}` })
    t.ok(given.user.updated_at > ada.updated_at, 'a new picture is a change of the user')
    t.same(await users.findById(ada.id), given.user, 'as stored')
    t.same(await users.findByUsername('ADA'), given.user)

    await tick()
    const replaced = await users.setAvatar(ada.id, { sha256: second, contentType: 'image/webp' })
    if (replaced === 'not-found') return t.fail(replaced)
    t.equal(replaced.previous, first, 'the picture replaced, for the caller to remove')
    t.match(replaced.user, { avatarSha256: second, avatarType: 'image/webp', avatar_url: `/users/ada/avatar?v=${second.slice(0, 16)}` }, 'a new picture is a new URL')
    t.ok(replaced.user.updated_at > given.user.updated_at)

    await tick()
    const removed = await users.setAvatar(ada.id, null)
    if (removed === 'not-found') return t.fail(removed)
    t.equal(removed.previous, second)
    t.match(removed.user, { avatarSha256: null, avatarType: null, avatar_url: null })
    t.ok(removed.user.updated_at > replaced.user.updated_at)
    t.same(await users.findById(ada.id), removed.user)
    t.match(await users.setAvatar(ada.id, null), { previous: null, user: { avatar_url: null } }, 'removing none is no error')

    t.match(await users.findById(bob.id), { avatar_url: null, updated_at: bob.updated_at }, 'nobody else changed')
    t.equal(await users.setAvatar(999, { sha256: first, contentType: 'image/png' }), 'not-found')
    t.equal(await users.setAvatar(999, null), 'not-found')
    t.match((await users.list({ limit: 10, offset: 0 })).items.find((user) => user.username === 'ada'), { avatar_url: null, bio: null }, 'lists show the same')
  })

  t.test('the avatars referred to are told apart from the others, and a replaced picture is no longer one', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada')) as StoredUser
    const bob = await users.create(newUser('bob')) as StoredUser
    const cyd = await users.create(newUser('cyd')) as StoredUser
    const [one, two, three, unused] = ['one', 'two', 'three', 'unused'].map(sha256) as [string, string, string, string]
    t.same(await users.referencedAvatars([one, two]), new Set(), 'nobody has a picture yet')
    t.same(await users.referencedAvatars([]), new Set())
    await users.setAvatar(ada.id, { sha256: one, contentType: 'image/png' })
    await users.setAvatar(bob.id, { sha256: two, contentType: 'image/jpeg' })
    await users.setAvatar(cyd.id, { sha256: two, contentType: 'image/jpeg' })
    t.same(await users.referencedAvatars([one, two, three, unused]), new Set([one, two]), 'a picture two users share counts once')
    t.same(await users.referencedAvatars([unused]), new Set())

    await users.setAvatar(ada.id, { sha256: three, contentType: 'image/png' })
    t.same(await users.referencedAvatars([one, two, three]), new Set([two, three]), 'the picture ada replaced is nobody\'s now')
    await users.setAvatar(bob.id, null)
    t.same(await users.referencedAvatars([two]), new Set([two]), 'cyd still has it')
    await users.setAvatar(cyd.id, null)
    t.same(await users.referencedAvatars([one, two, three]), new Set([three]))

    // The sweep asks about 500 blobs at a time.
    const batch = Array.from({ length: 499 }, (_, index) => sha256(`blob ${index}`))
    t.same(await users.referencedAvatars([...batch, three]), new Set([three]), 'a batch of 500')
  })

  t.test('ending a user\'s page sessions moves their session generation and nothing else, nor anyone else\'s', async (t) => {
    const { users } = await open(t)
    const ada = await users.create(newUser('ada')) as StoredUser
    const bob = await users.create(newUser('bob')) as StoredUser
    t.equal(ada.sessionGeneration, 1)
    t.same(await users.findById(ada.id), ada, 'read before (a repository may remember what it read)')
    await users.endSessions(ada.id)
    await users.endSessions(ada.id)
    t.same(await users.findById(ada.id), { ...ada, sessionGeneration: 3 }, 'twice: 3; the credentials generation and updated_at stay')
    t.same(await users.findById(bob.id), bob)
    await users.endSessions(999)
    t.equal(await users.findById(999), undefined, 'an unknown user is no error, and made no one')
  })
}
