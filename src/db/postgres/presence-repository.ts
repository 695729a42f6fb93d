import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import { byProject } from '../by-project.js'
import { commitSignal } from '../commit-signal.js'
import type { PresenceRepository } from '../presence-repository.js'
import { notification } from './notifications.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { roomPresence } from './schema.js'
import { inTransaction } from './transaction.js'

/**
 * The rooms' seats in PostgreSQL: a change is told to every instance at its
 * commit (NOTIFY), this one's rooms included.
 */
export function createPostgresPresenceRepository (db: PostgresConnection) {
  const { notify, listen } = commitSignal()
  const announce = async (tx: PostgresTransaction) => tx.execute(sql`SELECT ${notification('task_presence')}`)
  const repository: PresenceRepository = {
    async enter ({ instance, projectId, username }, expiresAt) {
      await inTransaction(db, async (tx) => {
        await tx.insert(roomPresence).values({ instanceId: instance, projectId, username, expiresAt })
          .onConflictDoUpdate({ target: [roomPresence.projectId, roomPresence.username, roomPresence.instanceId], set: { expiresAt } })
        await announce(tx)
      })
    },

    async leave ({ instance, projectId, username }) {
      await inTransaction(db, async (tx) => {
        await tx.delete(roomPresence)
          .where(and(eq(roomPresence.instanceId, instance), eq(roomPresence.projectId, projectId), eq(roomPresence.username, username)))
        await announce(tx)
      })
    },

    async refresh (instance, expiresAt, now) {
      await inTransaction(db, async (tx) => {
        await tx.update(roomPresence).set({ expiresAt }).where(eq(roomPresence.instanceId, instance))
        const { rowCount } = await tx.delete(roomPresence).where(lt(roomPresence.expiresAt, now))
        if ((rowCount ?? 0) > 0) await announce(tx)
      })
    },

    async present (projectIds, now) {
      if (projectIds.length === 0) return new Map()
      return byProject(await db.select({ projectId: roomPresence.projectId, username: roomPresence.username }).from(roomPresence)
        .where(and(inArray(roomPresence.projectId, [...projectIds]), gte(roomPresence.expiresAt, now))), ({ username }) => username)
    },

    async leaveAll (instance) {
      await inTransaction(db, async (tx) => {
        await tx.delete(roomPresence).where(eq(roomPresence.instanceId, instance))
        await announce(tx)
      })
    }
  }
  return { repository, changed: notify, onChanged: listen }
}
