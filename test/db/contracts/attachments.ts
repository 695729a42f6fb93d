import type { Test } from 'tap'
import type { AttachedFile } from '../../../src/db/attachment-repository.js'
import type { Attachment } from '../../../src/schemas/attachment.js'
import type { OpenDatabase } from './open-database.js'
import { projectTeam } from './project-team.js'

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const PAGE = { limit: 10, offset: 0 }
// More than any test attaches to one task, where the limit is not what is tested.
const ROOMY = 100

/** A SHA-256 in hex made of one repeated character: files that share it share their content. */
const hash = (character: string) => character.repeat(64)

/** A file to attach, with this content hash. */
const file = (filename: string, sha256 = hash('a')): AttachedFile => ({ filename, size: 1234, contentType: 'application/pdf', sha256 })

async function world (t: Test, open: OpenDatabase) {
  const team = await projectTeam(t, open)
  const attach = async (username: string, taskId: number, attached = file('plan.pdf')) => {
    const [attachment] = await team.db.attachments.create(team.as(username), taskId, [attached], ROOMY) as [Attachment]
    return attachment
  }
  return { ...team, attach }
}

/** The contract of every AttachmentRepository: run on each database. */
export function attachmentRepositoryContract (t: Test, open: OpenDatabase): void {
  t.test('an attachment is stored as given, and found and listed by whoever may see its task', async (t) => {
    const { db, as, task } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const result = await db.attachments.create(as('bob'), apollo.id, [{ filename: 'Flight plan.pdf', size: 52_000, contentType: 'application/pdf', sha256: hash('b') }], ROOMY)
    t.match(result, [{ id: Number, task_id: apollo.id, filename: 'Flight plan.pdf', size: 52_000, content_type: 'application/pdf', sha256: hash('b'), created_by: 'bob', created_at: TIMESTAMP }])
    const [created] = result as [Attachment]
    const { id } = created
    for (const reader of ['ann', 'bob', 'cat', 'dan']) {
      t.same(await db.attachments.find(as(reader), id), created, `${reader} finds it`)
      t.same(await db.attachments.list(as(reader), apollo.id, PAGE), { items: [created], total: 1, hasMore: false }, `${reader} lists it`)
    }
    t.equal(await db.attachments.find(as('eve'), id), undefined, 'an outsider does not find it')
    t.equal(await db.attachments.find(as('ann'), 999_999), undefined, 'nor is a missing one found')
  })

  t.test('several files attached at once are stored together, made at one time, and answered and listed in the order given', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const earlier = await attach('ann', apollo.id, file('earlier.pdf'))
    const result = await db.attachments.create(as('bob'), apollo.id, [file('3.pdf', hash('c')), file('1.pdf', hash('a')), file('2.pdf', hash('b'))], ROOMY)
    t.match(result, [
      { task_id: apollo.id, filename: '3.pdf', sha256: hash('c'), created_by: 'bob', created_at: TIMESTAMP },
      { task_id: apollo.id, filename: '1.pdf', sha256: hash('a'), created_by: 'bob' },
      { task_id: apollo.id, filename: '2.pdf', sha256: hash('b'), created_by: 'bob' }
    ])
    const created = result as Attachment[]
    t.equal(created.length, 3, 'one attachment for each file')
    const ids = created.map(({ id }) => id)
    t.same(ids, [...ids].sort((a, b) => a - b), 'their ids ascend in the order given')
    t.ok(ids.every((id) => id > earlier.id), 'after the attachments made before')
    t.equal(new Set(created.map(({ created_at }) => created_at)).size, 1, 'all made at one time')
    t.same(await db.attachments.list(as('cat'), apollo.id, PAGE), { items: [earlier, ...created], total: 4, hasMore: false })
    for (const attachment of created) t.same(await db.attachments.find(as('ann'), attachment.id), attachment)
    t.same(await db.attachments.create(as('ann'), apollo.id, [], ROOMY), [], 'attaching no files attaches none')
    t.match(await db.attachments.list(as('ann'), apollo.id, PAGE), { total: 4 })
  })

  t.test('a task that is missing or not visible is not found; a project\'s viewer reads attachments but may not add or remove them', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const annsOwn = await task('ann')
    t.equal(await db.attachments.create(as('cat'), apollo.id, [file('viewer.pdf')], ROOMY), 'forbidden')
    t.equal(await db.attachments.create(as('eve'), apollo.id, [file('outsider.pdf')], ROOMY), 'not-found')
    t.equal(await db.attachments.create(as('bob'), annsOwn.id, [file('not-his.pdf')], ROOMY), 'not-found')
    t.equal(await db.attachments.create(as('ann'), 999_999, [file('nowhere.pdf')], ROOMY), 'not-found')
    t.equal(await db.attachments.create(as('cat'), apollo.id, [], ROOMY), 'forbidden', 'attaching no files is refused alike')
    t.equal(await db.attachments.create(as('eve'), apollo.id, [], ROOMY), 'not-found')
    t.equal(await db.attachments.list(as('eve'), apollo.id, PAGE), 'not-found')
    t.equal(await db.attachments.list(as('bob'), annsOwn.id, PAGE), 'not-found')
    t.equal(await db.attachments.list(as('ann'), 999_999, PAGE), 'not-found')
    t.same(await db.attachments.list(as('cat'), apollo.id, PAGE), { items: [], total: 0, hasMore: false }, 'refused, nothing was attached')

    const onApollo = await attach('bob', apollo.id)
    t.same(await db.attachments.find(as('cat'), onApollo.id), onApollo, 'a viewer finds it')
    t.equal(await db.attachments.delete(as('cat'), onApollo.id), 'forbidden', 'but may not remove it')
    t.equal(await db.attachments.delete(as('eve'), onApollo.id), 'not-found', 'an outsider is told nothing is there')
    t.equal(await db.attachments.delete(as('ann'), 999_999), 'not-found')
    t.same(await db.attachments.find(as('ann'), onApollo.id), onApollo, 'refused, it is still there')
    t.same(await db.attachments.delete(as('ann'), onApollo.id), onApollo, 'the owner removes an editor\'s attachment, and is answered it')
    t.equal(await db.attachments.find(as('ann'), onApollo.id), undefined, 'removed, it is not found')
    t.equal(await db.attachments.delete(as('ann'), onApollo.id), 'not-found', 'nor removed twice')

    const annsFile = await attach('ann', annsOwn.id)
    t.equal(await db.attachments.find(as('bob'), annsFile.id), undefined, 'a task of ann\'s own is hers alone')
    t.equal(await db.attachments.delete(as('bob'), annsFile.id), 'not-found')
    const dansFile = await attach('dan', annsOwn.id)
    t.match(dansFile, { created_by: 'dan' }, 'an administrator attaches to any task')
    t.same(await db.attachments.delete(as('dan'), annsFile.id), annsFile, 'and removes any attachment')
    t.same(await db.attachments.list(as('ann'), annsOwn.id, PAGE), { items: [dansFile], total: 1, hasMore: false })
  })

  t.test('the attachments of a deleted task are not found by anyone until it is restored, and their files stay referred to', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const attached = await attach('bob', apollo.id, file('kept.pdf', hash('c')))
    await db.tasks.softDelete(as('ann'), apollo.id)
    for (const viewer of ['ann', 'dan']) {
      t.equal(await db.attachments.create(as(viewer), apollo.id, [file('after.pdf')], ROOMY), 'not-found', `${viewer} attaches nothing to it`)
      t.equal(await db.attachments.room(as(viewer), apollo.id, ROOMY), 'not-found', `${viewer} is told of no room on it`)
      t.equal(await db.attachments.list(as(viewer), apollo.id, PAGE), 'not-found', `${viewer} lists nothing`)
      t.equal(await db.attachments.find(as(viewer), attached.id), undefined, `${viewer} finds nothing`)
      t.equal(await db.attachments.delete(as(viewer), attached.id), 'not-found', `${viewer} removes nothing`)
    }
    t.same(await db.attachments.referenced([hash('c')]), new Set([hash('c')]), 'the file is still referred to: the task may come back')
    await db.tasks.restore(as('ann'), apollo.id)
    t.same(await db.attachments.list(as('cat'), apollo.id, PAGE), { items: [attached], total: 1, hasMore: false }, 'restored, its attachments are back')
  })

  t.test('a task holds at most maxPerTask attachments; removing one makes room, and other tasks are not counted', async (t) => {
    const { db, as, task } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const other = await task('ann', 'apollo')
    const [first] = await db.attachments.create(as('ann'), apollo.id, [file('1.pdf')], 2) as [Attachment]
    t.match(await db.attachments.create(as('bob'), apollo.id, [file('2.pdf')], 2), [{ filename: '2.pdf' }])
    t.equal(await db.attachments.create(as('bob'), apollo.id, [file('3.pdf')], 2), 'too-many')
    t.equal(await db.attachments.create(as('cat'), apollo.id, [file('3.pdf')], 2), 'forbidden', 'a viewer is refused as a viewer, full or not')
    t.match(await db.attachments.create(as('ann'), other.id, [file('elsewhere.pdf')], 2), [{ task_id: other.id }], 'another task has room of its own')
    t.match(await db.attachments.create(as('ann'), apollo.id, [file('3.pdf')], 3), [{ filename: '3.pdf' }], 'the limit is the caller\'s')
    t.equal(await db.attachments.create(as('ann'), apollo.id, [file('4.pdf')], 3), 'too-many')
    await db.attachments.delete(as('ann'), first.id)
    t.match(await db.attachments.create(as('ann'), apollo.id, [file('4.pdf')], 3), [{ filename: '4.pdf' }], 'a removed attachment makes room')
    t.match(await db.attachments.list(as('ann'), apollo.id, PAGE), { total: 3 })
  })

  t.test('files attached at once that would pass maxPerTask are refused together, and none of them is stored; as many as fit are', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const first = await attach('ann', apollo.id, file('first.pdf'))
    t.equal(await db.attachments.create(as('bob'), apollo.id, [file('1.pdf', hash('b')), file('2.pdf', hash('c')), file('3.pdf', hash('d'))], 3), 'too-many', 'one too many refuses them all')
    t.same(await db.attachments.list(as('ann'), apollo.id, PAGE), { items: [first], total: 1, hasMore: false }, 'none of them was stored')
    t.same(await db.attachments.referenced([hash('b'), hash('c'), hash('d')]), new Set(), 'nor is any of their files referred to')
    const fitting = await db.attachments.create(as('bob'), apollo.id, [file('1.pdf', hash('b')), file('2.pdf', hash('c'))], 3)
    t.match(fitting, [{ filename: '1.pdf' }, { filename: '2.pdf' }], 'as many as fit exactly are stored')
    t.same(await db.attachments.list(as('ann'), apollo.id, PAGE), { items: [first, ...fitting as Attachment[]], total: 3, hasMore: false })
    t.equal(await db.attachments.create(as('ann'), apollo.id, [file('4.pdf')], 3), 'too-many', 'full, not one more')
    t.same(await db.attachments.create(as('ann'), apollo.id, [], 3), [], 'full, no files still fit')
    t.equal(await db.attachments.create(as('ann'), apollo.id, [], 2), 'too-many', 'unless the task already has more than the limit')
  })

  t.test('of attachments made at once, no more than maxPerTask are stored', async (t) => {
    const { db, as, task } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const results = await Promise.all(Array.from({ length: 10 }, async (_, index) =>
      await db.attachments.create(as(index % 2 === 0 ? 'ann' : 'bob'), apollo.id, [file(`at-once-${index}.pdf`)], 3)))
    const created = results.filter((result) => Array.isArray(result)).flat()
    t.equal(created.length, 3, 'three are stored')
    t.same(results.filter((result) => typeof result === 'string'), Array(7).fill('too-many'), 'the others are refused as too many')
    const listed = await db.attachments.list(as('ann'), apollo.id, PAGE)
    t.same(listed !== 'not-found' && listed.items.map(({ id }) => id), created.map(({ id }) => id).sort((a, b) => a - b))
    t.match(listed, { total: 3 })
  })

  t.test('of files attached at once in several batches, each batch is stored whole or not at all, and no more than maxPerTask', async (t) => {
    const { db, as, task } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const results = await Promise.all(Array.from({ length: 6 }, async (_, index) =>
      await db.attachments.create(as(index % 2 === 0 ? 'ann' : 'bob'), apollo.id, [file(`batch-${index}-a.pdf`), file(`batch-${index}-b.pdf`)], 5)))
    const batches = results.filter((result) => Array.isArray(result))
    t.equal(batches.length, 2, 'two batches of two fit in five')
    t.ok(batches.every((batch) => batch.length === 2), 'each whole')
    t.same(results.filter((result) => typeof result === 'string'), Array(4).fill('too-many'), 'the others are refused as too many')
    const listed = await db.attachments.list(as('ann'), apollo.id, PAGE)
    t.same(listed !== 'not-found' && listed.items.map(({ id }) => id), batches.flat().map(({ id }) => id).sort((a, b) => a - b))
    t.match(listed, { total: 4 })
  })

  t.test('the room on a task is how many more files may be attached to it, refused on the same terms as attaching them', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const annsOwn = await task('ann')
    t.equal(await db.attachments.room(as('ann'), apollo.id, 3), 3, 'an empty task has room for the limit')
    await attach('bob', apollo.id)
    await attach('ann', apollo.id)
    t.equal(await db.attachments.room(as('bob'), apollo.id, 3), 1, 'the limit less the attachments it has')
    t.equal(await db.attachments.room(as('dan'), apollo.id, 3), 1, 'an administrator may attach too')
    t.equal(await db.attachments.room(as('ann'), apollo.id, 5), 3, 'the limit is the caller\'s')
    const [last] = await db.attachments.create(as('ann'), apollo.id, [file('last.pdf')], 3) as [Attachment]
    t.equal(await db.attachments.room(as('ann'), apollo.id, 3), 0, 'a full task has none')
    t.equal(await db.attachments.room(as('ann'), apollo.id, 2), 0, 'nor one past the limit, less than none')
    await db.attachments.delete(as('ann'), last.id)
    t.equal(await db.attachments.room(as('ann'), apollo.id, 3), 1, 'a removed attachment makes room')
    t.equal(await db.attachments.room(as('ann'), annsOwn.id, 3), 3, 'another task has room of its own')
    t.equal(await db.attachments.room(as('dan'), annsOwn.id, 3), 3, 'an administrator\'s is any task\'s')

    t.equal(await db.attachments.room(as('cat'), apollo.id, 3), 'forbidden', 'a project\'s viewer may not attach')
    t.equal(await db.attachments.room(as('eve'), apollo.id, 3), 'not-found', 'an outsider is told nothing is there')
    t.equal(await db.attachments.room(as('bob'), annsOwn.id, 3), 'not-found', 'nor is a task of another\'s own')
    t.equal(await db.attachments.room(as('ann'), 999_999, 3), 'not-found', 'nor a missing one')
  })

  t.test('of removals of one attachment at once, one removes it and the others find it gone', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const attached = await attach('bob', apollo.id)
    // Read by as many at once first, so that the removals too can run side by side.
    await Promise.all(['ann', 'bob', 'dan', 'ann'].map(async (viewer) => await db.attachments.find(as(viewer), attached.id)))
    const results = await Promise.all(['ann', 'bob', 'dan', 'ann'].map(async (viewer) => await db.attachments.delete(as(viewer), attached.id)))
    t.same(results.filter((result) => result !== 'not-found'), [attached], 'one answers it as removed')
    t.same(results.filter((result) => result === 'not-found'), Array(3).fill('not-found'), 'the others are told it is not there')
    t.same(await db.attachments.list(as('ann'), apollo.id, PAGE), { items: [], total: 0, hasMore: false })
  })

  t.test('a task\'s attachments are listed oldest first, from an offset or after one of them, with their total', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const other = await task('ann', 'apollo')
    const ids: number[] = []
    for (const index of [1, 2, 3, 4, 5]) {
      ids.push((await attach(index % 2 === 0 ? 'bob' : 'ann', apollo.id, file(`${index}.pdf`))).id)
      await attach('ann', other.id, file(`elsewhere-${index}.pdf`))
    }
    const first = await db.attachments.list(as('cat'), apollo.id, { limit: 2, offset: 0 })
    t.match(first, { items: [{ id: ids[0], filename: '1.pdf', created_by: 'ann', task_id: apollo.id }, { id: ids[1], filename: '2.pdf', created_by: 'bob' }], total: 5, hasMore: true })
    t.match(await db.attachments.list(as('cat'), apollo.id, { limit: 2, offset: 4 }), { items: [{ id: ids[4] }], total: 5, hasMore: false })
    const after = await db.attachments.list(as('cat'), apollo.id, { limit: 2, offset: 0, after: String(ids[1]) })
    t.same(after !== 'not-found' && after.items.map(({ id }) => id), [ids[2], ids[3]])
    t.match(after, { total: 5, hasMore: true }, 'the total counts every attachment')
    const last = await db.attachments.list(as('cat'), apollo.id, { limit: 2, offset: 0, after: String(ids[3]) })
    t.same(last !== 'not-found' && last.items.map(({ id }) => id), [ids[4]])
    t.match(last, { hasMore: false })
  })

  t.test('a file is referred to while any attachment has its hash, whoever may see it', async (t) => {
    const { db, as, task, attach } = await world(t, open)
    const apollo = await task('ann', 'apollo')
    const annsOwn = await task('ann')
    const shared = hash('a')
    const once = hash('b')
    const never = hash('c')
    const onApollo = await attach('bob', apollo.id, file('shared.pdf', shared))
    const onAnns = await attach('ann', annsOwn.id, file('shared copy.pdf', shared))
    const single = await attach('bob', apollo.id, file('once.pdf', once))
    t.same(await db.attachments.referenced([shared, once, never]), new Set([shared, once]))
    t.same(await db.attachments.referenced([]), new Set(), 'no hashes asked about, none referred to')
    await db.attachments.delete(as('ann'), onApollo.id)
    t.same(await db.attachments.referenced([shared, once, never]), new Set([shared, once]), 'a hash two attachments share stays while one is left')
    await db.attachments.delete(as('bob'), single.id)
    t.same(await db.attachments.referenced([shared, once, never]), new Set([shared]))
    await db.attachments.delete(as('ann'), onAnns.id)
    t.same(await db.attachments.referenced([shared, once, never]), new Set(), 'once every attachment is gone, so are the references')
  })
}
