import { and, count, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { NewJob } from '../job-repository.js'
import type { Viewer } from '../viewer.js'
import { WEBHOOKS_PER_PROJECT_MAX } from '../../schemas/webhook.js'
import type { NewDelivery } from '../../jobs/task-events.js'
import type { StoredDelivery, WebhookRepository } from '../webhook-repository.js'
import { storedWebhook, type WebhookRow } from '../webhook-row.js'
import type { GroupCommit } from './group-commit.js'
import { projectMembers, projects, users, webhookDeliveries, webhooks } from './schema.js'
import type { SqliteConnection } from './sqlite-database.js'

const WEBHOOK_COLUMNS = {
  id: webhooks.id,
  url: webhooks.url,
  events: webhooks.events,
  project: projects.slug,
  secret: webhooks.secret,
  previousSecret: webhooks.previousSecret,
  previousSecretExpiresAt: webhooks.previousSecretExpiresAt,
  creator: users.username,
  createdAt: webhooks.createdAt,
  updatedAt: webhooks.updatedAt
}

/**
 * Webhooks in SQLite. Whom a webhook is managed by is part of every query
 * (`managed`); deliveries are added with their jobs by `insertDeliveries`,
 * inside the transaction of the task write that causes them.
 */
export function createSqliteWebhookRepository (db: SqliteConnection, write: GroupCommit, insertJobs: (jobs: readonly NewJob[], now: number) => unknown, enqueued: () => void) {
  /** The webhooks the viewer manages: every one for an administrator, those of the projects they own for anyone else. */
  const managed = (viewer: Viewer): SQL | undefined => viewer.admin
    ? undefined
    : inArray(webhooks.projectId, db.select({ id: projectMembers.projectId }).from(projectMembers)
      .where(and(eq(projectMembers.userId, viewer.userId), eq(projectMembers.role, 'owner'))))
  const selectWebhooks = () => db.select(WEBHOOK_COLUMNS).from(webhooks)
    .leftJoin(projects, eq(projects.id, webhooks.projectId))
    .innerJoin(users, eq(users.id, webhooks.createdBy))
  const find = (viewer: Viewer, id: number) => {
    const [row] = selectWebhooks().where(and(eq(webhooks.id, id), managed(viewer))).all() as WebhookRow[]
    return row === undefined ? undefined : storedWebhook(row)
  }
  const delivery = (id: number) => db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get() as StoredDelivery | undefined

  /** Adds deliveries, each with the job that sends it; call inside a write transaction. */
  const insertDeliveries = (deliveries: readonly NewDelivery[], now: number): StoredDelivery[] => {
    if (deliveries.length === 0) return []
    const rows = db.insert(webhookDeliveries).values(deliveries.map((delivery) => ({ ...delivery, createdAt: now, updatedAt: now }))).returning().all() as StoredDelivery[]
    insertJobs(rows.map(({ id }) => ({ kind: 'webhook', payload: { delivery_id: id } })), now)
    return rows
  }

  /**
   * The webhooks that hear of a task of this project (null: in none), with
   * the events they want: the project's, and those of every task. A task
   * that left a project is not heard of there: it is no longer theirs to see.
   */
  const listenersOf = db.select({ id: webhooks.id, events: webhooks.events }).from(webhooks)
    .where(sql`${webhooks.projectId} IS NULL OR ${webhooks.projectId} = ${sql.placeholder('projectId')}`)
    .prepare()

  const repository: WebhookRepository = {
    async create (viewer, { url, events, project, secret }, now) {
      return write(() => {
        let projectId: number | null = null
        if (project === null) {
          if (!viewer.admin) return 'forbidden'
        } else {
          const [found] = db.select({ id: projects.id, role: projectMembers.role }).from(projects)
            .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, viewer.userId)))
            .where(eq(projects.slug, project)).all()
          if (found === undefined || (found.role === null && !viewer.admin)) return 'project-not-found'
          if (found.role !== 'owner' && !viewer.admin) return 'forbidden'
          projectId = found.id
        }
        const [{ total } = { total: 0 }] = db.select({ total: count() }).from(webhooks)
          .where(projectId === null ? isNull(webhooks.projectId) : eq(webhooks.projectId, projectId)).all()
        if (total >= WEBHOOKS_PER_PROJECT_MAX) return 'limit-reached'
        const [created] = db.insert(webhooks).values({ url, events: JSON.stringify(events), projectId, secret, createdBy: viewer.userId, createdAt: now, updatedAt: now })
          .returning({ id: webhooks.id }).all() as [{ id: number }]
        return find(viewer, created.id) as NonNullable<ReturnType<typeof find>>
      })
    },

    async list (viewer, { limit, offset, after, project }) {
      const filter = and(managed(viewer), project === undefined ? undefined : eq(projects.slug, project))
      return db.transaction(() => {
        const [{ total } = { total: 0 }] = db.select({ total: count() }).from(webhooks).leftJoin(projects, eq(projects.id, webhooks.projectId)).where(filter).all()
        const rows = selectWebhooks()
          .where(after === undefined ? filter : and(filter, lt(webhooks.id, Number(after))))
          .orderBy(desc(webhooks.id)).limit(limit + 1).offset(after === undefined ? offset : 0).all() as WebhookRow[]
        return { items: rows.slice(0, limit).map(storedWebhook), total, hasMore: rows.length > limit }
      }, { behavior: 'deferred' })
    },

    async find (viewer, id) {
      return find(viewer, id)
    },

    async update (viewer, id, { url, events }, now) {
      return write(() => {
        if (find(viewer, id) === undefined) return undefined
        db.update(webhooks).set({
          ...(url === undefined ? {} : { url }),
          ...(events === undefined ? {} : { events: JSON.stringify(events) }),
          updatedAt: now
        }).where(eq(webhooks.id, id)).run()
        return find(viewer, id)
      })
    },

    async rotateSecret (viewer, id, { secret, previousSecretExpiresAt }, now) {
      return write(() => {
        const current = find(viewer, id)
        if (current === undefined) return undefined
        db.update(webhooks).set({ secret, previousSecret: current.secret, previousSecretExpiresAt, updatedAt: now }).where(eq(webhooks.id, id)).run()
        return find(viewer, id)
      })
    },

    async delete (viewer, id) {
      return write(() => find(viewer, id) !== undefined && db.delete(webhooks).where(eq(webhooks.id, id)).run().changes === 1)
    },

    async deliveries (viewer, id, { limit, offset, after }) {
      return db.transaction(() => {
        if (find(viewer, id) === undefined) return undefined
        const filter = eq(webhookDeliveries.webhookId, id)
        const [{ total } = { total: 0 }] = db.select({ total: count() }).from(webhookDeliveries).where(filter).all()
        const rows = db.select().from(webhookDeliveries)
          .where(after === undefined ? filter : and(filter, lt(webhookDeliveries.id, Number(after))))
          .orderBy(desc(webhookDeliveries.id)).limit(limit + 1).offset(after === undefined ? offset : 0).all() as StoredDelivery[]
        return { items: rows.slice(0, limit), total, hasMore: rows.length > limit }
      }, { behavior: 'deferred' })
    },

    async redeliver (viewer, id, deliveryId, now) {
      const redelivered = await write(() => {
        const original = find(viewer, id) === undefined ? undefined : delivery(deliveryId)
        if (original === undefined || original.webhookId !== id) return undefined
        const { webhookId, event, messageId, body } = original
        return insertDeliveries([{ webhookId, event, messageId, body }], now)[0]
      })
      if (redelivered !== undefined) enqueued()
      return redelivered
    },

    async outgoing (deliveryId) {
      const found = delivery(deliveryId)
      if (found === undefined) return undefined
      const [webhook] = selectWebhooks().where(eq(webhooks.id, found.webhookId)).all() as WebhookRow[]
      return webhook === undefined ? undefined : { delivery: found, webhook: storedWebhook(webhook) }
    },

    async record (deliveryId, { state, responseStatus, error, durationMs }, now) {
      await write(() => db.update(webhookDeliveries)
        .set({ state, attempts: sql`${webhookDeliveries.attempts} + 1`, responseStatus, lastError: error, durationMs, updatedAt: now })
        .where(eq(webhookDeliveries.id, deliveryId)).run())
    },

    async purgeFinished (before) {
      return write(() => db.delete(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.state, ['delivered', 'failed']), lt(webhookDeliveries.updatedAt, before))).run().changes)
    }
  }
  return {
    repository,
    insertDeliveries,
    listenersOf: (projectId: number | null) => listenersOf.all({ projectId })
  }
}
