import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { build, createTask, temporaryDirectory, TIMESTAMP } from '../../helper.js'
import { ON_POSTGRES, postgresTestUrl } from '../../postgres.js'
import { multipartBody, type FilePart } from '../../multipart.js'
import { apolloWorld } from '../apollo-world.js'

type App = Awaited<ReturnType<typeof build>>

const LIMIT = 1024

/** An app whose uploads go to a directory the test can look into, with a small file limit. */
async function uploadingApp (t: Test, env: Record<string, string> = {}) {
  const uploads = temporaryDirectory(t)
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '0', UPLOADS_DIR: uploads, ATTACHMENT_MAX_BYTES: String(LIMIT), UPLOAD_GRACE_MS: '0', ...env })
  return { app, uploads, files: () => filesUnder(uploads) }
}

/** Every file under `directory`, by its path relative to it. */
function filesUnder (directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort()
}

const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex')
const blobPath = (hash: string) => join('blobs', hash.slice(0, 2), hash.slice(2, 4), hash)

async function upload (app: App, taskId: number, parts: Parameters<typeof multipartBody>[0], headers: Record<string, string> = {}) {
  const body = await multipartBody(parts)
  return app.inject({ method: 'POST', url: `/tasks/${taskId}/attachments`, headers: { ...body.headers, ...headers }, payload: body.payload })
}

/** A request with a body written by hand: what FormData cannot send. */
async function rawUpload (app: App, taskId: number, contentType: string, payload: string | Buffer) {
  return app.inject({ method: 'POST', url: `/tasks/${taskId}/attachments`, headers: { 'content-type': contentType }, payload })
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

t.test('POST /tasks/{task_id}/attachments stores a file by its hash and answers 201 with the attachment; GET lists it', async (t) => {
  const { app, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'With a file' })
  const response = await upload(app, task.id, [{ filename: 'notes.txt', content: 'Bring the charts.\n', type: 'text/plain' }])
  t.equal(response.statusCode, 201)
  const [attachment] = response.json().items
  t.same(Object.keys(attachment).sort(), ['content_type', 'created_at', 'created_by', 'filename', 'id', 'sha256', 'size', 'task_id', 'url'])
  t.match(attachment, { id: Number, task_id: task.id, filename: 'notes.txt', size: 18, content_type: 'text/plain; charset=utf-8', sha256: sha256('Bring the charts.\n'), created_by: 'local', created_at: TIMESTAMP, url: `/attachments/${attachment.id as number}/content` })
  t.equal(response.headers.location, `/attachments/${attachment.id as number}`)
  t.same(files(), [blobPath(sha256('Bring the charts.\n'))], 'the file is stored once, under its hash, with no temporary file left')

  const listed = await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })
  t.same(listed.json(), { items: [attachment], total: 1, limit: 20, offset: 0, has_more: false, next_cursor: null })
  t.same((await app.inject({ method: 'GET', url: `/attachments/${attachment.id as number}` })).json(), attachment)
})

t.test('several files in one request are attached in their order; attachments are listed oldest first, a page at a time', async (t) => {
  const { app } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Busy' })
  const response = await upload(app, task.id, ['one', 'two', 'three'].map((name): FilePart => ({ filename: `${name}.txt`, content: name })))
  t.equal(response.statusCode, 201)
  t.same(response.json().items.map(({ filename }: { filename: string }) => filename), ['one.txt', 'two.txt', 'three.txt'])
  t.equal(response.headers.location, undefined, 'several attachments have no one Location')

  const first = await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments?limit=2` })
  t.match(first.json(), { total: 3, has_more: true, items: [{ filename: 'one.txt' }, { filename: 'two.txt' }] })
  const next = await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments?limit=2&cursor=${first.json().next_cursor as string}` })
  t.match(next.json(), { total: 3, has_more: false, items: [{ filename: 'three.txt' }] })
})

t.test('a file of 1 byte and one of exactly ATTACHMENT_MAX_BYTES are stored; one byte over is a 413 and leaves nothing', async (t) => {
  const { app, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Sizes' })
  const atLimit = Buffer.alloc(LIMIT, 'a')
  t.match((await upload(app, task.id, [{ filename: 'one', content: 'x' }])).json(), { items: [{ size: 1 }] })
  t.match((await upload(app, task.id, [{ filename: 'full', content: atLimit }])).json(), { items: [{ size: LIMIT, sha256: sha256(atLimit) }] })
  const stored = files()

  const over = await upload(app, task.id, [{ filename: 'over', content: Buffer.alloc(LIMIT + 1, 'b') }])
  t.equal(over.statusCode, 413)
  t.match(over.json(), { type: 'https://example.com/errors/payload-too-large', detail: `A file is longer than the limit of ${LIMIT} bytes.` })
  const alongside = await upload(app, task.id, [{ filename: 'fine', content: 'fine' }, { filename: 'over', content: Buffer.alloc(LIMIT + 1, 'c') }])
  t.equal(alongside.statusCode, 413, 'a file too long refuses the files sent with it')
  t.same(files(), stored, 'nothing of either upload is on the disk')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().total, 2, 'nor attached')
})

t.test('the same content uploaded at once, many times, is one file on the disk', async (t) => {
  const { app, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Popular' })
  const content = 'The same plan, sent by everyone.'
  const responses = await Promise.all(Array.from({ length: 10 }, async (_, index) => upload(app, task.id, [{ filename: `copy-${index}.txt`, content }])))
  t.same(responses.map(({ statusCode }) => statusCode), Array(10).fill(201))
  t.same(new Set(responses.map((response) => response.json().items[0].sha256)), new Set([sha256(content)]))
  t.same(files(), [blobPath(sha256(content))])
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().total, 10)
})

t.test('a file\'s type is told from its bytes: HTML declared as image/png is text/html, a real PNG is image/png', async (t) => {
  const { app } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Types' })
  const response = await upload(app, task.id, [
    { filename: 'cat.png', content: '<html><script>alert(document.cookie)</script></html>', type: 'image/png' },
    { filename: 'dot.png', content: PNG, type: 'text/html' },
    { filename: 'logo.svg', content: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', type: 'image/png' },
    { filename: 'data.bin', content: Buffer.from([0, 1, 2, 3, 255]), type: 'application/pdf' }
  ])
  t.same(response.json().items.map(({ content_type: type }: { content_type: string }) => type), ['text/html; charset=utf-8', 'image/png', 'image/svg+xml', 'application/octet-stream'])
})

t.test('hostile file names never reach a path on the disk and are shown sanitised', async (t) => {
  const { app, uploads, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Names' })
  const cases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\x', 'x'],
    ['/etc/shadow', 'shadow'],
    ['C:\\Windows\\win.ini', 'win.ini'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['..', 'file'],
    [`${'a'.repeat(10_000)}.pdf`, `${'a'.repeat(251)}.pdf`],
    ['Résumé 履歴書.pdf', 'Résumé 履歴書.pdf']
  ]
  for (const [name, shown] of cases) {
    const response = await upload(app, task.id, [{ filename: name, content: `content of ${name.slice(0, 20)}` }])
    t.equal(response.json().items?.[0]?.filename, shown, JSON.stringify(name.slice(0, 40)))
  }
  // FormData cannot put a NUL in a name: written by hand.
  const withNul = await rawUpload(app, task.id, 'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="file"; filename="evil\0.txt"\r\nContent-Type: text/plain\r\n\r\nnul\r\n--b--\r\n')
  t.equal(withNul.statusCode, 201)
  t.equal(withNul.json().items[0].filename, 'evil.txt', 'a NUL is dropped')
  t.ok(files().every((path) => /^blobs\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(path)), 'every file written is a blob under its hash')
  t.same(readdirSync(uploads).sort(), ['blobs', 'tmp'], 'and nothing was made beside them')

  const shown = await app.inject({ method: 'GET', url: `/attachments/${withNul.json().items[0].id as number}/content` })
  t.equal(shown.headers['content-disposition'], 'attachment; filename=evil.txt')
})

t.test('bad multipart input is a clear 4xx problem and leaves no file behind', async (t) => {
  const { app, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Refusals' })
  const cases: { name: string, request: () => ReturnType<typeof upload>, status: number, detail: RegExp, pointer?: string }[] = [
    { name: 'a 0-byte file', request: async () => upload(app, task.id, [{ filename: 'empty.txt', content: '' }]), status: 422, detail: /"empty.txt" is empty/, pointer: '#/file' },
    { name: 'a 0-byte file after a good one', request: async () => upload(app, task.id, [{ filename: 'good.txt', content: 'good' }, { filename: 'empty.txt', content: '' }]), status: 422, detail: /is empty/, pointer: '#/file' },
    { name: 'a field beside the files', request: async () => upload(app, task.id, [{ filename: 'good.txt', content: 'good' }, { field: 'comment', value: 'hi' }]), status: 422, detail: /comment is not a part of this form/, pointer: '#/comment' },
    { name: 'a file under another name', request: async () => upload(app, task.id, [{ field: 'upload', filename: 'a.txt', content: 'a' }]), status: 422, detail: /upload is not a part of this form/, pointer: '#/upload' },
    {
      name: 'a part without a name',
      request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\na\r\n--b--\r\n'),
      status: 422,
      detail: /a part has no name/,
      pointer: '#'
    },
    { name: 'no file at all', request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', '--b--\r\n'), status: 422, detail: /file is required/, pointer: '#/file' },
    { name: 'an empty body', request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', ''), status: 422, detail: /file is required/, pointer: '#/file' },
    { name: 'a missing boundary', request: async () => rawUpload(app, task.id, 'multipart/form-data', '--b--\r\n'), status: 400, detail: /Boundary not found/ },
    {
      name: 'a body cut short in a file',
      request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nhalf a fi'),
      status: 400,
      detail: /malformed: Unexpected end/
    },
    {
      name: 'a body cut short after a whole file',
      request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="file"; filename="whole.txt"\r\n\r\nwhole\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nha'),
      status: 400,
      detail: /malformed/
    },
    { name: 'JSON', request: async () => app.inject({ method: 'POST', url: `/tasks/${task.id}/attachments`, payload: { file: 'x' } }), status: 415, detail: /multipart\/form-data/ },
    {
      name: 'more parts than a form of files has',
      request: async () => rawUpload(app, task.id, 'multipart/form-data; boundary=b', `${'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n'.repeat(1001)}--b--\r\n`),
      status: 422,
      detail: /x is not a part of this form/,
      pointer: '#/x'
    }
  ]
  for (const { name, request, status, detail, pointer } of cases) {
    const response = await request()
    t.equal(response.statusCode, status, name)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', `${name}: a problem`)
    t.match(response.json().detail, detail, `${name}: says what was wrong`)
    if (pointer !== undefined) t.match(response.json().errors, [{ pointer }], `${name}: names the part`)
  }
  t.same(files(), [], 'no file was left behind')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().total, 0, 'nothing was attached')
})

t.test('ATTACHMENTS_PER_TASK: an upload that would pass it is refused whole with 422, before its body is read when the task is full', async (t) => {
  const { app, files } = await uploadingApp(t, { ATTACHMENTS_PER_TASK: '2' })
  const task = await createTask(app, { title: 'Limited' })
  t.equal((await upload(app, task.id, [{ filename: 'a', content: 'a' }])).statusCode, 201)
  const twoMore = await upload(app, task.id, [{ filename: 'b', content: 'b' }, { filename: 'c', content: 'c' }])
  t.equal(twoMore.statusCode, 422)
  t.match(twoMore.json(), { type: 'https://example.com/errors/attachment-limit-reached', detail: /at most 2 attachments/ })
  t.equal((await upload(app, task.id, [{ filename: 'b', content: 'b' }])).statusCode, 201)
  const stored = files()
  const full = await upload(app, task.id, [{ filename: 'd', content: 'd' }])
  t.match([full.statusCode, full.json().type], [422, 'https://example.com/errors/attachment-limit-reached'])
  t.same(files(), stored)
  t.same((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().items.map(({ filename }: { filename: string }) => filename), ['a', 'b'])
})

t.test('a task that is missing or soft-deleted has no attachments: 404 until it is restored', async (t) => {
  const { app } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Deleted later' })
  const attached = (await upload(app, task.id, [{ filename: 'kept.txt', content: 'kept' }])).json().items[0]
  const nowhere = await upload(app, 999_999, [{ filename: 'a', content: 'a' }])
  t.equal(nowhere.statusCode, 404)
  t.equal(nowhere.headers.connection, 'close', 'refused before its body was read, the upload is not read at all')
  t.equal((await app.inject({ method: 'GET', url: '/tasks/999999/attachments' })).statusCode, 404)
  await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })
  for (const url of [`/tasks/${task.id}/attachments`, `/attachments/${attached.id as number}`, `/attachments/${attached.id as number}/content`]) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 404, `GET ${url}`)
  }
  t.equal((await upload(app, task.id, [{ filename: 'a', content: 'a' }])).statusCode, 404)
  await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.equal((await app.inject({ method: 'GET', url: `/attachments/${attached.id as number}/content` })).body, 'kept', 'restored, its file is back')
})

t.test('with AUTH=on, access follows the task: a project\'s viewer downloads but may not attach or remove; others find nothing', async (t) => {
  const { app } = await uploadingApp(t, { AUTH: 'on' })
  const { as, apollo } = await apolloWorld(app)
  const byBob = await upload(app, apollo.id, [{ filename: 'plan.txt', content: 'the plan' }], as('bob'))
  t.match([byBob.statusCode, byBob.json().items?.[0]], [201, { created_by: 'bob' }])
  const id = byBob.json().items[0].id as number
  const byCat = await upload(app, apollo.id, [{ filename: 'mine.txt', content: 'mine' }], as('cat'))
  t.match([byCat.statusCode, byCat.json().type], [403, 'https://example.com/errors/forbidden'])
  t.equal((await app.inject({ method: 'GET', url: `/attachments/${id}/content`, headers: as('cat') })).body, 'the plan')
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${id}`, headers: as('cat') })).statusCode, 403)
  for (const [method, url] of [['GET', `/tasks/${apollo.id as number}/attachments`], ['GET', `/attachments/${id}`], ['GET', `/attachments/${id}/content`], ['DELETE', `/attachments/${id}`]] as const) {
    t.equal((await app.inject({ method, url, headers: as('eve') })).statusCode, 404, `an outsider: ${method} ${url}`)
  }
  t.equal((await upload(app, apollo.id, [{ filename: 'x', content: 'x' }], as('eve'))).statusCode, 404)
  t.equal((await upload(app, apollo.id, [{ filename: 'x', content: 'x' }])).statusCode, 401, 'without a token')
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${id}`, headers: as('ann') })).statusCode, 204, 'the owner removes it')
})

t.test('removing an attachment removes its file once no attachment refers to its content', async (t) => {
  const { app, files } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Tidy' })
  const [first, second] = (await upload(app, task.id, [{ filename: 'a.txt', content: 'shared' }, { filename: 'b.txt', content: 'shared' }])).json().items
  const own = (await upload(app, task.id, [{ filename: 'c.txt', content: 'own' }])).json().items[0]
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${first.id as number}` })).statusCode, 204)
  t.same(files(), [blobPath(sha256('own')), blobPath(sha256('shared'))].sort(), 'a content another attachment has stays')
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${second.id as number}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${own.id as number}` })).statusCode, 204)
  t.same(files(), [], 'the last one gone, its file goes')
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${own.id as number}` })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/attachments/${own.id as number}` })).statusCode, 404)
})

t.test('a removed attachment\'s file younger than UPLOAD_GRACE_MS stays until a sweep finds it older', async (t) => {
  const { app, files } = await uploadingApp(t, { UPLOAD_GRACE_MS: '60000' })
  const task = await createTask(app, { title: 'Young' })
  const attached = (await upload(app, task.id, [{ filename: 'a.txt', content: 'young' }])).json().items[0]
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${attached.id as number}` })).statusCode, 204)
  t.same(files(), [blobPath(sha256('young'))], 'another upload of it may be on its way')
  t.same(await app.uploads.sweep({ ...app.uploadSweep, olderThanMs: 0 }), { temporary: 0, orphans: 1 }, 'once old enough, the sweep removes it')
  t.same(files(), [])
})

t.test('the start-up sweep removes what an earlier run left: temporary files and files no attachment refers to', async (t) => {
  const uploads = temporaryDirectory(t)
  const database = ON_POSTGRES ? await postgresTestUrl(t) : join(temporaryDirectory(t), 'tasks.db')
  const env = { UPLOADS_DIR: uploads, DATABASE_URL: database, UPLOAD_GRACE_MS: '0', MAX_EVENT_LOOP_DELAY_MS: '0' }
  const first = await build(t, env)
  const task = await createTask(first, { title: 'Survivor' })
  const kept = (await upload(first, task.id, [{ filename: 'kept.txt', content: 'kept' }])).json().items[0]
  const orphan = await first.uploads.put(Readable.from([Buffer.from('orphan')]), LIMIT)
  await first.close()

  const second = await build(t, env)
  await second.close()
  t.same(filesUnder(uploads), [blobPath(kept.sha256)], `the orphan ${orphan.sha256.slice(0, 8)} is gone, the attachment's file stays`)
  t.equal(readFileSync(join(uploads, blobPath(kept.sha256)), 'utf8'), 'kept')
})

t.test('uploads racing for the last room: one is attached, the others are refused whole', async (t) => {
  const { app } = await uploadingApp(t, { ATTACHMENTS_PER_TASK: '1' })
  const task = await createTask(app, { title: 'One seat' })
  const responses = await Promise.all(Array.from({ length: 6 }, async (_, index) => upload(app, task.id, [{ filename: `racer-${index}`, content: `racer ${index}` }])))
  t.same(responses.map(({ statusCode }) => statusCode).sort(), [201, 422, 422, 422, 422, 422])
  t.ok(responses.filter(({ statusCode }) => statusCode === 422).every((response) => response.json().type === 'https://example.com/errors/attachment-limit-reached'))
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().total, 1)
})

t.test('a form with more parts than any form of files has is a 413', async (t) => {
  const { app, files } = await uploadingApp(t, { ATTACHMENTS_PER_TASK: '5000' })
  const task = await createTask(app, { title: 'Many parts' })
  const part = '--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nx\r\n'
  const response = await rawUpload(app, task.id, 'multipart/form-data; boundary=b', `${part.repeat(1001)}--b--\r\n`)
  t.match([response.statusCode, response.json().detail], [413, /too many parts/])
  t.same(files(), [])
})

t.test('a task deleted while its files stream in gets none of them: 404', async (t) => {
  const { app, uploads } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Going away' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const request = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: `/tasks/${task.id}/attachments`, headers: { 'content-type': 'multipart/form-data; boundary=b' } })
  const answered = once(request, 'response') as Promise<[IncomingMessage]>
  request.write('--b\r\nContent-Disposition: form-data; name="file"; filename="late.txt"\r\n\r\nthe first half, ')
  // The upload is under way (its file is being staged) when the task goes.
  for (let wait = 0; wait < 200 && readdirSync(join(uploads, 'tmp')).length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal((await app.inject({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode, 204)
  request.end('the second half\r\n--b--\r\n')
  const [response] = await answered
  t.equal(response.statusCode, 404)
  response.resume()
  await app.inject({ method: 'POST', url: `/tasks/${task.id}/restore` })
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/attachments` })).json().total, 0, 'restored, it has no attachment')
})

t.test('a removed attachment whose file cannot be removed is still removed: the sweep will try again', async (t) => {
  const { app, uploads } = await uploadingApp(t)
  const task = await createTask(app, { title: 'Stuck' })
  const attached = (await upload(app, task.id, [{ filename: 'stuck.txt', content: 'stuck' }])).json().items[0]
  // The disk holds something the store cannot unlink where the file was.
  const path = join(uploads, blobPath(attached.sha256))
  rmSync(path)
  mkdirSync(join(path, 'inside'), { recursive: true })
  utimesSync(path, new Date(0), new Date(0))
  t.equal((await app.inject({ method: 'DELETE', url: `/attachments/${attached.id as number}` })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: `/attachments/${attached.id as number}` })).statusCode, 404)
})
