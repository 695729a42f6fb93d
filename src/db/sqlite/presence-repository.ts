import { and, eq, gte, inArray, lt } from 'drizzle-orm'
import { byProject } from '../by-project.js'
import { commitSignal } from '../commit-signal.js'
import type { PresenceRepository } from '../presence-repository.js'
import type { GroupCommit } from './group-commit.js'
import { roomPresence } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

/**
 * The rooms' seats in SQLite. This process's rooms are told of a change at
 * once; another process's on the same file find it when they next read.
 */
export function createSqlitePresenceRepository (db: SqliteConnection, write: GroupCommit) {
  const { notify, listen } = commitSignal()
  const repository: PresenceRepository = {
    async enter ({ instance, projectId, username }, expiresAt) {
      await write(() => db.insert(roomPresence).values({ instanceId: instance, projectId, username, expiresAt })
        .onConflictDoUpdate({ target: [roomPresence.projectId, roomPresence.username, roomPresence.instanceId], set: { expiresAt } }).run())
      notify()
    },

    async leave ({ instance, projectId, username }) {
      await write(() => db.delete(roomPresence)
        .where(and(eq(roomPresence.instanceId, instance), eq(roomPresence.projectId, projectId), eq(roomPresence.username, username))).run())
      notify()
    },

    async refresh (instance, expiresAt, now) {
      const { changes } = await write(() => {
        db.update(roomPresence).set({ expiresAt }).where(eq(roomPresence.instanceId, instance)).run()
        return db.delete(roomPresence).where(lt(roomPresence.expiresAt, now)).run()
      })
      if (changes > 0) notify()
    },

    async present (projectIds, now) {
      if (projectIds.length === 0) return new Map()
      return byProject(db.select({ projectId: roomPresence.projectId, username: roomPresence.username }).from(roomPresence)
        .where(and(inArray(roomPresence.projectId, [...projectIds]), gte(roomPresence.expiresAt, now))).all(), ({ username }) => username)
    },

    async leaveAll (instance) {
      await write(() => db.delete(roomPresence).where(eq(roomPresence.instanceId, instance)).run())
      notify()
    }
  }
  return { repository, onChanged: listen }
}
