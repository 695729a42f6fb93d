import t from 'tap'
import { join } from 'node:path'
import { openSqliteDatabase } from '../../../src/db/sqlite/sqlite-database.js'
import { temporaryDirectory } from '../../helper.js'
import { userRepositoryContract } from '../contracts/users.js'
import { openSqlite } from './open-database.js'

userRepositoryContract(t, openSqlite)

t.test('a user changed by another connection to the same file is seen at once, though users read are remembered', async (t) => {
  const path = join(temporaryDirectory(t), 'tasks.db')
  const server = openSqliteDatabase(path)
  const other = openSqliteDatabase(path)
  t.teardown(async () => { await server.close(); await other.close() })
  const created = await server.users.create({ username: 'ada', email: null, displayName: 'Ada', role: 'member', passwordHash: 'h' })
  const id = (created as { id: number }).id
  t.match(await server.users.findById(id), { disabled: false, credentialsGeneration: 1 }, 'read, and remembered')
  await other.users.adminUpdate('ada', { disabled: true })
  t.match(await server.users.findById(id), { disabled: true, credentialsGeneration: 2 }, 'another process disabled her: seen on the next read')
  await other.users.update(id, { passwordHash: 'new' })
  t.match(await server.users.findById(id), { credentialsGeneration: 3 })
  await server.users.adminUpdate('ada', { disabled: false })
  t.match(await server.users.findById(id), { disabled: false }, 'and a change made here')
})
