import type { Test } from 'tap'
import type { CreatedComment } from '../../../src/db/comment-repository.js'
import type { Database } from '../../../src/db/database.js'
import type { Viewer } from '../../../src/db/viewer.js'
import type { OpenDatabase } from './open-database.js'
import { projectTeam } from './project-team.js'

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** The events of the change log `viewer` may read after `after`, as their type and JSON body. */
async function eventsRead (db: Database, viewer: Viewer, after = 0) {
  const { events } = await db.events.read(viewer, { after, limit: 100 })
  return events.map(({ seq, type, body }) => ({ seq, type, body: JSON.parse(body) as unknown }))
}

/** The contract of every CommentRepository: run on each database. */
export function commentRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('a comment is stored with its comment.created event, which whoever may see the task reads', async (t) => {
    const { db, as, task } = await projectTeam(t, open)
    const apollo = await task('ann', 'apollo')
    const before = await db.events.latest()
    const created = await db.comments.create(as('bob'), apollo.id, 'Looks good') as CreatedComment
    t.match(created.comment, { id: Number, task_id: apollo.id, body: 'Looks good', author: 'bob', created_at: TIMESTAMP })
    t.ok(created.seq > before, 'its event comes after every event before it')
    const event = { seq: created.seq, type: 'comment.created', body: { type: 'comment.created', timestamp: created.comment.created_at, data: created.comment } }
    for (const reader of ['ann', 'bob', 'cat', 'dan']) t.same(await eventsRead(db, as(reader), before), [event], `${reader} reads it`)
    t.same(await eventsRead(db, as('eve'), before), [], 'an outsider does not')
    const { id } = await db.projects.find(as('cat'), 'apollo') as { id: number }
    t.same((await db.events.read(as('cat'), { after: before, projectIds: [id], limit: 10 })).events.map(({ seq }) => seq), [created.seq], 'it is one of apollo\'s events')
  })

  t.test('whoever may see the task reads the event, not whoever may see the author\'s tasks', async (t) => {
    const { db, as, task } = await projectTeam(t, open)
    const annsOwn = await task('ann')
    const before = await db.events.latest()
    const created = await db.comments.create(as('dan'), annsOwn.id, 'An administrator passing by') as CreatedComment
    t.same((await eventsRead(db, as('ann'), before)).map(({ seq }) => seq), [created.seq], 'ann reads the event of a comment on her own task')
    t.same(await eventsRead(db, as('bob'), before), [])
  })

  t.test('a task that is missing, deleted or not visible is not found; a project\'s viewer may not comment', async (t) => {
    const { db, as, task } = await projectTeam(t, open)
    const apollo = await task('ann', 'apollo')
    const annsOwn = await task('ann')
    const latest = await db.events.latest()
    t.equal(await db.comments.create(as('cat'), apollo.id, 'A viewer'), 'forbidden')
    t.equal(await db.comments.create(as('eve'), apollo.id, 'An outsider'), 'not-found')
    t.equal(await db.comments.create(as('bob'), annsOwn.id, 'Not his'), 'not-found')
    t.equal(await db.comments.create(as('ann'), 999_999, 'Nowhere'), 'not-found')
    t.equal(await db.comments.list(as('eve'), apollo.id, { limit: 10, offset: 0 }), 'not-found')
    t.equal(await db.comments.list(as('bob'), annsOwn.id, { limit: 10, offset: 0 }), 'not-found')
    t.equal(await db.comments.list(as('ann'), 999_999, { limit: 10, offset: 0 }), 'not-found')
    t.match(await db.comments.list(as('cat'), apollo.id, { limit: 10, offset: 0 }), { items: [], total: 0, hasMore: false }, 'a viewer reads them')
    t.equal(await db.events.latest(), latest, 'a refused comment appends nothing')

    await db.comments.create(as('ann'), apollo.id, 'Before it was deleted')
    await db.tasks.softDelete(as('ann'), apollo.id)
    t.equal(await db.comments.create(as('ann'), apollo.id, 'After'), 'not-found')
    t.equal(await db.comments.list(as('dan'), apollo.id, { limit: 10, offset: 0 }), 'not-found')
    await db.tasks.restore(as('ann'), apollo.id)
    t.match(await db.comments.list(as('ann'), apollo.id, { limit: 10, offset: 0 }), { items: [{ body: 'Before it was deleted' }], total: 1 }, 'restored, its comments are back')
  })

  t.test('a task\'s comments are listed oldest first, from an offset or after one of them, with their total', async (t) => {
    const { db, as, task } = await projectTeam(t, open)
    const apollo = await task('ann', 'apollo')
    const other = await task('ann', 'apollo')
    const ids: number[] = []
    for (const index of [1, 2, 3, 4, 5]) {
      ids.push((await db.comments.create(as(index % 2 === 0 ? 'bob' : 'ann'), apollo.id, `Comment ${index}`) as CreatedComment).comment.id)
      await db.comments.create(as('ann'), other.id, `Elsewhere ${index}`)
    }
    const first = await db.comments.list(as('cat'), apollo.id, { limit: 2, offset: 0 })
    t.match(first, { items: [{ id: ids[0], body: 'Comment 1', author: 'ann', task_id: apollo.id }, { id: ids[1], body: 'Comment 2', author: 'bob' }], total: 5, hasMore: true })
    t.match(await db.comments.list(as('cat'), apollo.id, { limit: 2, offset: 4 }), { items: [{ id: ids[4] }], total: 5, hasMore: false })
    const after = await db.comments.list(as('cat'), apollo.id, { limit: 2, offset: 0, after: String(ids[1]) })
    t.same(after !== 'not-found' && after.items.map(({ id }) => id), [ids[2], ids[3]])
    t.match(after, { total: 5, hasMore: true }, 'the total counts every comment')
  })

  t.test('comments made at once each answer the seq of their own event', async (t) => {
    const { db, as, task } = await projectTeam(t, open)
    const apollo = await task('ann', 'apollo')
    const before = await db.events.latest()
    const created = await Promise.all(Array.from({ length: 12 }, async (_, index) => await db.comments.create(as(index % 2 === 0 ? 'ann' : 'bob'), apollo.id, `At once ${index}`) as CreatedComment))
    const events = await eventsRead(db, as('ann'), before)
    t.same(events.map(({ seq }) => seq), created.map(({ seq }) => seq).sort((a, b) => a - b), 'one event each, none other')
    const bySeq = new Map(created.map(({ seq, comment }) => [seq, comment]))
    t.same(events.map(({ body }) => (body as { data: unknown }).data), events.map(({ seq }) => bySeq.get(seq)), 'each seq is the event of its comment')
  })
}
