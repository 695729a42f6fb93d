import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { build, createTask } from '../../helper.js'
import { multipartBody, type FilePart } from '../../multipart.js'

type App = Awaited<ReturnType<typeof build>>

const CONTENT = '0123456789abcdefghij'

/** An app with one task, and a way to attach a file to it: answers the attachment. */
async function withAttachment (t: Test, file: FilePart = { filename: 'digits.txt', content: CONTENT }) {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  const task = await createTask(app, { title: 'Downloads' })
  const attach = async (part: FilePart) => {
    const body = await multipartBody([part])
    return (await app.inject({ method: 'POST', url: `/tasks/${task.id}/attachments`, headers: body.headers, payload: body.payload })).json().items[0]
  }
  const attachment = await attach(file)
  const download = async (headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url: attachment.url, headers })
  return { app, attach, attachment, download }
}

const etagOf = (content: string | Buffer) => `"${createHash('sha256').update(content).digest('hex')}"`

t.test('GET /attachments/{id}/content streams the file with its type, length, strong ETag and the headers that keep it from running', async (t) => {
  const { download } = await withAttachment(t)
  const response = await download()
  t.equal(response.statusCode, 200)
  t.equal(response.body, CONTENT)
  t.match(response.headers, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(CONTENT.length),
    etag: etagOf(CONTENT),
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
    'content-disposition': 'attachment; filename=digits.txt'
  })
})

t.test('If-None-Match with the ETag is a 304 without a body; another ETag gets the file', async (t) => {
  const { download } = await withAttachment(t)
  const notModified = await download({ 'if-none-match': etagOf(CONTENT) })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.body, '')
  t.equal(notModified.headers.etag, etagOf(CONTENT))
  t.equal((await download({ 'if-none-match': `W/${etagOf(CONTENT)}, "other"` })).statusCode, 304, 'weak comparison, in a list')
  t.equal((await download({ 'if-none-match': '*' })).statusCode, 304)
  t.equal((await download({ 'if-none-match': '"other"' })).statusCode, 200)
})

t.test('one byte range is answered 206 with Content-Range; a range past the end is 416; several or malformed ranges get the whole file', async (t) => {
  const { download } = await withAttachment(t)
  const size = CONTENT.length
  for (const [range, body, contentRange] of [
    ['bytes=0-4', '01234', `bytes 0-4/${size}`],
    ['bytes=10-', 'abcdefghij', `bytes 10-19/${size}`],
    ['bytes=-3', 'hij', `bytes 17-19/${size}`],
    ['bytes=15-100', 'fghij', `bytes 15-19/${size}`],
    ['bytes=0-0', '0', `bytes 0-0/${size}`],
    ['bytes=2-3,4-5', '2345', `bytes 2-5/${size}`]
  ]) {
    const response = await download({ range: range as string })
    t.match({ status: response.statusCode, body: response.body, headers: response.headers },
      { status: 206, body, headers: { 'content-range': contentRange, 'content-length': String(body?.length), etag: etagOf(CONTENT), 'content-type': 'text/plain; charset=utf-8' } }, range as string)
  }
  const beyond = await download({ range: 'bytes=20-' })
  t.equal(beyond.statusCode, 416)
  t.equal(beyond.headers['content-range'], `bytes */${size}`)
  t.match(beyond.json(), { type: 'https://example.com/errors/range-not-satisfiable', detail: 'No part of the file, which is 20 bytes long, is in the range asked for.' })
  const backwards = await download({ range: 'bytes=5-2' })
  t.match([backwards.statusCode, backwards.headers['content-range']], [416, `bytes */${size}`], 'a range that ends before it starts is no part of the file either')
  for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'items=0-1']) {
    const whole = await download({ range })
    t.match([whole.statusCode, whole.body], [200, CONTENT], `${range}: the whole file`)
  }
})

t.test('If-Range: the range while the ETag is the one the client has, else the whole file', async (t) => {
  const { download } = await withAttachment(t)
  t.equal((await download({ range: 'bytes=0-1', 'if-range': etagOf(CONTENT) })).statusCode, 206)
  t.equal((await download({ range: 'bytes=0-1', 'if-range': '"something else"' })).statusCode, 200)
  t.equal((await download({ range: 'bytes=0-1', 'if-range': `W/${etagOf(CONTENT)}` })).statusCode, 200, 'a weak tag never matches')
  t.equal((await download({ range: 'bytes=0-1', 'if-range': 'Wed, 21 Oct 2026 07:28:00 GMT' })).statusCode, 200, 'nor does a date')
})

t.test('HEAD answers the headers of GET without the body', async (t) => {
  const { download } = await withAttachment(t)
  const response = await download({}, 'HEAD')
  t.equal(response.statusCode, 200)
  t.equal(response.body, '')
  t.match(response.headers, { 'content-length': String(CONTENT.length), etag: etagOf(CONTENT), 'content-type': 'text/plain; charset=utf-8' })
})

t.test('images and PDF are shown inline; HTML, SVG and everything else only offered as a download', async (t) => {
  const { attach, app } = await withAttachment(t)
  const files: [FilePart, string][] = [
    [{ filename: 'dot.png', content: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64') }, 'inline'],
    [{ filename: 'photo.jpg', content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]) }, 'inline'],
    [{ filename: 'anim.gif', content: 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' }, 'inline'],
    [{ filename: 'pic.webp', content: Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14)]) }, 'inline'],
    [{ filename: 'doc.pdf', content: '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n' }, 'inline'],
    [{ filename: 'page.html', content: '<!doctype html><script>alert(1)</script>', type: 'image/png' }, 'attachment'],
    [{ filename: 'logo.svg', content: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', type: 'image/svg+xml' }, 'attachment'],
    [{ filename: 'notes.txt', content: 'plain' }, 'attachment']
  ]
  for (const [file, disposition] of files) {
    const attachment = await attach(file)
    const response = await app.inject({ method: 'GET', url: attachment.url })
    t.equal(response.headers['content-disposition'], `${disposition}; filename=${file.filename}`, `${file.filename} (${attachment.content_type as string})`)
    t.equal(response.headers['content-type'], attachment.content_type)
    t.equal(response.headers['content-security-policy'], 'sandbox')
    t.equal(response.headers['x-content-type-options'], 'nosniff')
  }
})

t.test('a name that is not plain ASCII is sent as filename* (RFC 8187) with an ASCII fallback; quotes are escaped', async (t) => {
  const { app, attachment, download } = await withAttachment(t, { filename: 'Résumé 履歴書.txt', content: 'cv' })
  t.equal((await download()).headers['content-disposition'], 'attachment; filename="R?sum? ???.txt"; filename*=UTF-8\'\'R%C3%A9sum%C3%A9%20%E5%B1%A5%E6%AD%B4%E6%9B%B8.txt')
  // As curl sends a name with quotes (a browser's FormData sends them as %22).
  const quoted = await app.inject({
    method: 'POST',
    url: `/tasks/${attachment.task_id as number}/attachments`,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="say \\"hi\\".txt"\r\n\r\nhi\r\n--b--\r\n'
  })
  t.equal((await app.inject({ method: 'GET', url: quoted.json().items[0].url })).headers['content-disposition'], 'attachment; filename="say \\"hi\\".txt"')
})

t.test('an attachment that does not exist, or an id that is not one, is a 404 or a 422 naming the parameter', async (t) => {
  const { app } = await withAttachment(t)
  const missing = await app.inject({ method: 'GET', url: '/attachments/999999/content' })
  t.match([missing.statusCode, missing.json().detail], [404, 'Attachment 999999 was not found.'])
  const invalid = await app.inject({ method: 'GET', url: '/attachments/abc/content' })
  t.match([invalid.statusCode, invalid.json().errors], [422, [{ parameter: 'attachment_id' }]])
})
