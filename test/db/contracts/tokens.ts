import type { Test } from 'tap'
import { MAX_PERSONAL_TOKENS, type NewPersonalToken, type NewRefreshToken } from '../../../src/db/token-repository.js'
import type { StoredUser } from '../../../src/db/user-repository.js'
import type { OpenDatabase } from './open-database.js'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const HOUR = 3_600_000

async function withUser (t: Test, open: OpenDatabase) {
  const db = await open(t)
  const user = await db.users.create({ username: 'ada', email: null, displayName: 'Ada', role: 'member', passwordHash: 'h' }) as StoredUser
  const personal = (fields: Partial<NewPersonalToken> = {}): NewPersonalToken =>
    ({ userId: user.id, name: 'script', tokenHash: `pat-${Math.random()}`, scopes: ['tasks:read'], credentialsGeneration: 1, expiresAt: null, ...fields })
  const refresh = (fields: Partial<NewRefreshToken> = {}): NewRefreshToken =>
    ({ userId: user.id, family: 'family-1', tokenHash: `rt-${Math.random()}`, scopes: ['tasks:read', 'tasks:write'], credentialsGeneration: 1, expiresAt: NOW + HOUR, ...fields })
  return { db, user, personal, refresh }
}

/** The contract of every TokenRepository. */
export function tokenRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('a personal token is found by its hash with its user while it is unexpired, listed newest first, and deleted by its user only', async (t) => {
    const { db, user, personal } = await withUser(t, open)
    const forever = await db.tokens.createPersonal(personal({ tokenHash: 'forever', name: 'forever' }), NOW)
    const soon = await db.tokens.createPersonal(personal({ tokenHash: 'soon', name: 'soon', scopes: ['tasks:read', 'projects:read'], expiresAt: NOW + HOUR }), NOW)
    t.match(soon, { name: 'soon', scopes: ['tasks:read', 'projects:read'], createdAt: NOW, expiresAt: NOW + HOUR, userId: user.id })
    t.match(await db.tokens.findPersonal('forever', NOW), { token: forever, user: { username: 'ada' } })
    t.equal(await db.tokens.findPersonal('unknown', NOW), undefined)
    t.same((await db.tokens.listPersonal(user.id, NOW)).map((token) => token.name), ['soon', 'forever'])
    t.equal(await db.tokens.findPersonal('soon', NOW + HOUR), undefined, 'an expired token is not found')
    t.same((await db.tokens.listPersonal(user.id, NOW + HOUR)).map((token) => token.name), ['forever'], 'nor listed')
    const other = await db.users.create({ username: 'bob', email: null, displayName: 'Bob', role: 'member', passwordHash: 'h' }) as StoredUser
    t.equal(await db.tokens.deletePersonal(other.id, (forever as { id: number }).id), false, 'another user cannot delete it')
    t.equal(await db.tokens.deletePersonal(user.id, (forever as { id: number }).id), true)
    t.equal(await db.tokens.findPersonal('forever', NOW), undefined, 'a deleted token is not found')
    t.equal(await db.tokens.deletePersonal(user.id, (forever as { id: number }).id), false)
  })

  t.test('a personal token stops working when its user is disabled or changes password', async (t) => {
    const { db, user, personal } = await withUser(t, open)
    await db.tokens.createPersonal(personal({ tokenHash: 'pat' }), NOW)
    await db.users.update(user.id, { passwordHash: 'new' })
    t.equal(await db.tokens.findPersonal('pat', NOW), undefined, 'after a password change')
    await db.tokens.createPersonal(personal({ tokenHash: 'pat-2', credentialsGeneration: 2 }), NOW)
    t.ok(await db.tokens.findPersonal('pat-2', NOW), 'one issued since works')
    await db.users.adminUpdate('ada', { disabled: true })
    t.equal(await db.tokens.findPersonal('pat-2', NOW), undefined, 'after disabling')
  })

  t.test(`a user holds at most ${MAX_PERSONAL_TOKENS} unexpired personal tokens`, async (t) => {
    const { db, user, personal } = await withUser(t, open)
    for (let index = 0; index < MAX_PERSONAL_TOKENS - 1; index++) await db.tokens.createPersonal(personal(), NOW)
    await db.tokens.createPersonal(personal({ expiresAt: NOW + 1 }), NOW)
    t.equal(await db.tokens.createPersonal(personal(), NOW), 'limit-reached')
    t.match(await db.tokens.createPersonal(personal(), NOW + 1), { userId: user.id }, 'an expired one no longer counts')
  })

  t.test('a refresh token is exchanged once; a second use revokes its whole family', async (t) => {
    const { db, refresh } = await withUser(t, open)
    await db.tokens.createRefresh(refresh({ tokenHash: 'first' }), NOW)
    const grant = await db.tokens.exchangeRefresh('first', { tokenHash: 'second', expiresAt: NOW + 2 * HOUR }, [], NOW)
    t.match(grant, { user: { username: 'ada' }, scopes: ['tasks:read', 'tasks:write'] })
    t.equal(await db.tokens.exchangeRefresh('first', { tokenHash: 'stolen', expiresAt: NOW + HOUR }, [], NOW), 'reused', 'using it again is reuse')
    t.equal(await db.tokens.exchangeRefresh('second', { tokenHash: 'third', expiresAt: NOW + HOUR }, [], NOW), 'invalid', 'and the token it led to was revoked with it')
    t.equal(await db.tokens.exchangeRefresh('stolen', { tokenHash: 'fourth', expiresAt: NOW + HOUR }, [], NOW), 'invalid', 'nothing was issued for the reuse')
  })

  t.test('a refresh asking for more scopes than the token carries is refused and leaves the token usable', async (t) => {
    const { db, refresh } = await withUser(t, open)
    await db.tokens.createRefresh(refresh({ tokenHash: 'first' }), NOW)
    t.equal(await db.tokens.exchangeRefresh('first', { tokenHash: 'x', expiresAt: NOW + HOUR }, ['projects:read'], NOW), 'invalid-scope')
    t.match(await db.tokens.exchangeRefresh('first', { tokenHash: 'second', expiresAt: NOW + HOUR }, ['tasks:read'], NOW), { scopes: ['tasks:read', 'tasks:write'] }, 'a narrower ask is fine, and the family keeps its scopes')
  })

  t.test('an expired or unknown refresh token, or one of a disabled user or an old password, is invalid', async (t) => {
    const { db, user, refresh } = await withUser(t, open)
    await db.tokens.createRefresh(refresh({ tokenHash: 'expired', expiresAt: NOW }), NOW - HOUR)
    t.equal(await db.tokens.exchangeRefresh('expired', { tokenHash: 'a', expiresAt: NOW + HOUR }, [], NOW), 'invalid')
    t.equal(await db.tokens.exchangeRefresh('unknown', { tokenHash: 'b', expiresAt: NOW + HOUR }, [], NOW), 'invalid')
    await db.tokens.createRefresh(refresh({ tokenHash: 'before', family: 'f2' }), NOW)
    await db.users.update(user.id, { passwordHash: 'new' })
    t.equal(await db.tokens.exchangeRefresh('before', { tokenHash: 'c', expiresAt: NOW + HOUR }, [], NOW), 'invalid', 'issued before the password changed')
    await db.tokens.createRefresh(refresh({ tokenHash: 'after', family: 'f3', credentialsGeneration: 2 }), NOW)
    await db.users.adminUpdate('ada', { disabled: true })
    t.equal(await db.tokens.exchangeRefresh('after', { tokenHash: 'd', expiresAt: NOW + HOUR }, [], NOW), 'invalid', 'of a disabled user')
  })

  t.test('expired tokens are purged', async (t) => {
    const { db, user, personal, refresh } = await withUser(t, open)
    await db.tokens.createRefresh(refresh({ tokenHash: 'old', expiresAt: NOW }), NOW - HOUR)
    await db.tokens.createRefresh(refresh({ tokenHash: 'live', family: 'f2' }), NOW)
    await db.tokens.createPersonal(personal({ tokenHash: 'old-pat', expiresAt: NOW }), NOW - HOUR)
    await db.tokens.createPersonal(personal({ tokenHash: 'live-pat' }), NOW)
    t.equal(await db.tokens.purgeExpired(NOW), 2)
    t.ok(await db.tokens.exchangeRefresh('live', { tokenHash: 'next', expiresAt: NOW + HOUR }, [], NOW), 'the live refresh token stays')
    t.equal((await db.tokens.listPersonal(user.id, NOW - HOUR)).length, 1, 'the expired personal token is gone, the live one stays')
  })
}
