import { and, count, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { NewJob } from '../job-repository.js'
import type { Viewer } from '../viewer.js'
import { WEBHOOKS_PER_PROJECT_MAX } from '../../schemas/webhook.js'
import type { NewDelivery } from '../../jobs/task-events.js'
import type { StoredDelivery, StoredWebhook, WebhookRepository } from '../webhook-repository.js'
import { storedWebhook, type WebhookRow } from '../webhook-row.js'
import { ONE_SNAPSHOT } from './one-snapshot.js'
import type { PostgresConnection, PostgresTransaction } from './postgres-database.js'
import { projectMembers, projects, users, webhookDeliveries, webhooks } from './schema.js'
import { inTransaction } from './transaction.js'

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

type Query = PostgresConnection | PostgresTransaction

/**
 * Webhooks in PostgreSQL. Whom a webhook is managed by is part of every
 * query (`managed`); deliveries are added with their jobs by
 * `insertDeliveries`, inside the transaction of the task write that causes them.
 */
export function createPostgresWebhookRepository (db: PostgresConnection, insertJobs: (tx: PostgresTransaction, jobs: readonly NewJob[], now: number) => Promise<unknown>, enqueued: () => void) {
  /** The webhooks the viewer manages: every one for an administrator, those of the projects they own for anyone else. */
  const managed = (tx: Query, viewer: Viewer): SQL | undefined => viewer.admin
    ? undefined
    : inArray(webhooks.projectId, tx.select({ id: projectMembers.projectId }).from(projectMembers)
      .where(and(eq(projectMembers.userId, viewer.userId), eq(projectMembers.role, 'owner'))))
  const selectWebhooks = (tx: Query) => tx.select(WEBHOOK_COLUMNS).from(webhooks)
    .leftJoin(projects, eq(projects.id, webhooks.projectId))
    .innerJoin(users, eq(users.id, webhooks.createdBy))
  const find = async (tx: Query, viewer: Viewer, id: number): Promise<StoredWebhook | undefined> => {
    const [row] = await selectWebhooks(tx).where(and(eq(webhooks.id, id), managed(tx, viewer))) as WebhookRow[]
    return row === undefined ? undefined : storedWebhook(row)
  }
  const delivery = async (tx: Query, id: number) => {
    const [row] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id))
    return row as StoredDelivery | undefined
  }

  /** Adds deliveries, each with the job that sends it, in the transaction `tx`. */
  const insertDeliveries = async (tx: PostgresTransaction, deliveries: readonly NewDelivery[], now: number): Promise<StoredDelivery[]> => {
    if (deliveries.length === 0) return []
    const rows = await tx.insert(webhookDeliveries).values(deliveries.map((delivery) => ({ ...delivery, createdAt: now, updatedAt: now }))).returning() as StoredDelivery[]
    await insertJobs(tx, rows.map(({ id }) => ({ kind: 'webhook', payload: { delivery_id: id } })), now)
    return rows
  }

  /**
   * The webhooks that hear of a task of this project (null: in none), with
   * the events they want: the project's, and those of every task. A task
   * that left a project is not heard of there: it is no longer theirs to see.
   */
  const listenersOf = async (tx: PostgresTransaction, projectId: number | null) => tx.select({ id: webhooks.id, events: webhooks.events }).from(webhooks)
    .where(projectId === null ? isNull(webhooks.projectId) : or(isNull(webhooks.projectId), eq(webhooks.projectId, projectId)))

  const repository: WebhookRepository = {
    async create (viewer, { url, events, project, secret }, now) {
      return inTransaction(db, async (tx) => {
        let projectId: number | null = null
        if (project === null) {
          if (!viewer.admin) return 'forbidden'
        } else {
          const [found] = await tx.select({ id: projects.id, role: projectMembers.role }).from(projects)
            .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, viewer.userId)))
            .where(eq(projects.slug, project))
          if (found === undefined || (found.role === null && !viewer.admin)) return 'project-not-found'
          if (found.role !== 'owner' && !viewer.admin) return 'forbidden'
          projectId = found.id
        }
        // Creations for one project take turns, so that two at once cannot both pass the count.
        await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('task-api webhooks'), ${projectId ?? 0})`)
        const [{ total } = { total: 0 }] = await tx.select({ total: count() }).from(webhooks)
          .where(projectId === null ? isNull(webhooks.projectId) : eq(webhooks.projectId, projectId))
        if (total >= WEBHOOKS_PER_PROJECT_MAX) return 'limit-reached'
        const [created] = await tx.insert(webhooks).values({ url, events: JSON.stringify(events), projectId, secret, createdBy: viewer.userId, createdAt: now, updatedAt: now })
          .returning({ id: webhooks.id }) as [{ id: number }]
        return await find(tx, viewer, created.id) as StoredWebhook
      })
    },

    async list (viewer, { limit, offset, after, project }) {
      return inTransaction(db, async (tx) => {
        const filter = and(managed(tx, viewer), project === undefined ? undefined : eq(projects.slug, project))
        const [{ total } = { total: 0 }] = await tx.select({ total: count() }).from(webhooks).leftJoin(projects, eq(projects.id, webhooks.projectId)).where(filter)
        const rows = await selectWebhooks(tx)
          .where(after === undefined ? filter : and(filter, lt(webhooks.id, Number(after))))
          .orderBy(desc(webhooks.id)).limit(limit + 1).offset(after === undefined ? offset : 0) as WebhookRow[]
        return { items: rows.slice(0, limit).map(storedWebhook), total, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async find (viewer, id) {
      return find(db, viewer, id)
    },

    async update (viewer, id, { url, events }, now) {
      return inTransaction(db, async (tx) => {
        const updated = await tx.update(webhooks).set({
          ...(url === undefined ? {} : { url }),
          ...(events === undefined ? {} : { events: JSON.stringify(events) }),
          updatedAt: now
        }).where(and(eq(webhooks.id, id), managed(tx, viewer))).returning({ id: webhooks.id })
        return updated.length === 0 ? undefined : find(tx, viewer, id)
      })
    },

    async rotateSecret (viewer, id, { secret, previousSecretExpiresAt }, now) {
      return inTransaction(db, async (tx) => {
        const updated = await tx.update(webhooks)
          .set({ secret, previousSecret: sql`${webhooks.secret}`, previousSecretExpiresAt, updatedAt: now })
          .where(and(eq(webhooks.id, id), managed(tx, viewer))).returning({ id: webhooks.id })
        return updated.length === 0 ? undefined : find(tx, viewer, id)
      })
    },

    async delete (viewer, id) {
      const deleted = await db.delete(webhooks).where(and(eq(webhooks.id, id), managed(db, viewer))).returning({ id: webhooks.id })
      return deleted.length === 1
    },

    async deliveries (viewer, id, { limit, offset, after }) {
      return inTransaction(db, async (tx) => {
        if (await find(tx, viewer, id) === undefined) return undefined
        const filter = eq(webhookDeliveries.webhookId, id)
        const [{ total } = { total: 0 }] = await tx.select({ total: count() }).from(webhookDeliveries).where(filter)
        const rows = await tx.select().from(webhookDeliveries)
          .where(after === undefined ? filter : and(filter, lt(webhookDeliveries.id, Number(after))))
          .orderBy(desc(webhookDeliveries.id)).limit(limit + 1).offset(after === undefined ? offset : 0) as StoredDelivery[]
        return { items: rows.slice(0, limit), total, hasMore: rows.length > limit }
      }, ONE_SNAPSHOT)
    },

    async redeliver (viewer, id, deliveryId, now) {
      const redelivered = await inTransaction(db, async (tx) => {
        const original = await find(tx, viewer, id) === undefined ? undefined : await delivery(tx, deliveryId)
        if (original === undefined || original.webhookId !== id) return undefined
        const { webhookId, event, messageId, body } = original
        return (await insertDeliveries(tx, [{ webhookId, event, messageId, body }], now))[0]
      })
      if (redelivered !== undefined) enqueued()
      return redelivered
    },

    async outgoing (deliveryId) {
      const found = await delivery(db, deliveryId)
      if (found === undefined) return undefined
      const [webhook] = await selectWebhooks(db).where(eq(webhooks.id, found.webhookId)) as WebhookRow[]
      return webhook === undefined ? undefined : { delivery: found, webhook: storedWebhook(webhook) }
    },

    async record (deliveryId, { state, responseStatus, error, durationMs }, now) {
      await db.update(webhookDeliveries)
        .set({ state, attempts: sql`${webhookDeliveries.attempts} + 1`, responseStatus, lastError: error, durationMs, updatedAt: now })
        .where(eq(webhookDeliveries.id, deliveryId))
    },

    async purgeFinished (before) {
      const { rowCount } = await db.delete(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.state, ['delivered', 'failed']), lt(webhookDeliveries.updatedAt, before)))
      return rowCount ?? 0
    }
  }
  return { repository, insertDeliveries, listenersOf }
}
