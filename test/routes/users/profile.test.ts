import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import t, { type Test } from 'tap'
import { bearer, build, createUser, signIn, temporaryDirectory } from '../../helper.js'
import { multipartBody, type FilePart } from '../../multipart.js'

type App = Awaited<ReturnType<typeof build>>

/** A PNG's signature and header chunk (all an image's size is read from), then a little of nothing. */
function png (width: number, height: number): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])))
    return Buffer.concat([length, Buffer.from(type), data, crc])
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IEND', Buffer.alloc(0))])
}

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex')

async function profileApp (t: Test, env: Record<string, string> = {}) {
  const uploads = temporaryDirectory(t)
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '0', UPLOADS_DIR: uploads, UPLOAD_GRACE_MS: '0', ...env })
  const blobExists = (hash: string) => existsSync(join(uploads, 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash))
  return { app, blobExists }
}

async function putAvatar (app: App, parts: Parameters<typeof multipartBody>[0], headers: Record<string, string> = {}) {
  const body = await multipartBody(parts)
  return app.inject({ method: 'PUT', url: '/users/me/avatar', headers: { ...body.headers, ...headers }, payload: body.payload })
}

const picture = (content: Buffer, type = 'image/png'): FilePart => ({ field: 'avatar', filename: 'me.png', content, type })

t.test('GET /users/{username} shows a profile; with AUTH=off the local user has one too', async (t) => {
  const { app } = await profileApp(t)
  const local = await app.inject({ method: 'GET', url: '/users/local' })
  t.equal(local.statusCode, 200)
  t.same(local.json(), { username: 'local', display_name: 'Local administrator', bio: null, avatar_url: null })
  const missing = await app.inject({ method: 'GET', url: '/users/nobody' })
  t.match([missing.statusCode, missing.json().detail], [404, 'User nobody was not found.'])
  t.equal((await app.inject({ method: 'GET', url: '/users/me' })).json().username, 'local', '/users/me is still your account')
})

t.test('PATCH /users/me takes a bio as JSON, an urlencoded form or multipart fields; an empty one removes it', async (t) => {
  const { app } = await profileApp(t)
  const json = await app.inject({ method: 'PATCH', url: '/users/me', payload: { bio: '  Keeps the lights on.  ' } })
  t.match([json.statusCode, json.json()], [200, { bio: 'Keeps the lights on.', avatar_url: null }])

  const form = await app.inject({ method: 'PATCH', url: '/users/me', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'display_name=Ada+L.&bio=Counts+%26+computes' })
  t.match([form.statusCode, form.json()], [200, { display_name: 'Ada L.', bio: 'Counts & computes' }])

  const fields = await multipartBody([{ field: 'bio', value: 'Written in a multipart form' }, { field: 'display_name', value: 'Ada' }])
  const multipart = await app.inject({ method: 'PATCH', url: '/users/me', headers: fields.headers, payload: fields.payload })
  t.match([multipart.statusCode, multipart.json()], [200, { display_name: 'Ada', bio: 'Written in a multipart form' }])

  const emptied = await app.inject({ method: 'PATCH', url: '/users/me', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'bio=' })
  t.equal(emptied.json().bio, null, 'an empty bio is no bio')
  t.equal((await app.inject({ method: 'PATCH', url: '/users/me', payload: { bio: 'Back' } })).json().bio, 'Back')
  t.equal((await app.inject({ method: 'PATCH', url: '/users/me', payload: { bio: null } })).json().bio, null, 'null removes it too')
  t.same((await app.inject({ method: 'GET', url: '/users/local' })).json(), { username: 'local', display_name: 'Ada', bio: null, avatar_url: null })
})

t.test('a form with a bad field is a 422 naming it, a malformed one a 400, and neither changes anything', async (t) => {
  const { app } = await profileApp(t)
  const cases: [string, { headers: Record<string, string>, payload: string | Buffer }, string][] = [
    ['a bio too long', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `bio=${'a'.repeat(1001)}` }, '#/bio'],
    ['an unknown field', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'bio=ok&website=x' }, '#/website'],
    ['a field twice', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'bio=one&bio=two' }, '#/bio'],
    ['an empty display name', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'display_name=+' }, '#/display_name'],
    ['a file in the form', await multipartBody([{ field: 'bio', value: 'ok' }, { field: 'picture', filename: 'x.png', content: 'x' }]), '#/picture']
  ]
  const malformed = await app.inject({ method: 'PATCH', url: '/users/me', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '{}' })
  t.match([malformed.statusCode, malformed.json().detail], [400, /multipart\/form-data body is malformed/], 'a body that is not the multipart it says is a 400')
  for (const [name, { headers, payload }, pointer] of cases) {
    const response = await app.inject({ method: 'PATCH', url: '/users/me', headers, payload })
    t.equal(response.statusCode, 422, name)
    t.match(response.json().errors, [{ pointer }], `${name}: names the field`)
  }
  t.same((await app.inject({ method: 'GET', url: '/users/local' })).json().bio, null)
})

t.test('PUT /users/me/avatar sets a picture, served at its avatar_url with caching headers; a new one replaces it and its file', async (t) => {
  const { app, blobExists } = await profileApp(t)
  const first = png(64, 64)
  const response = await putAvatar(app, [picture(first, 'application/octet-stream')])
  t.equal(response.statusCode, 200)
  const profile = response.json()
  t.same(profile, { username: 'local', display_name: 'Local administrator', bio: null, avatar_url: `/users/local/avatar?v=${sha256(first).slice(0, 16)}` })
  t.equal((await app.inject({ method: 'GET', url: '/users/me' })).json().avatar_url, profile.avatar_url)

  const served = await app.inject({ method: 'GET', url: profile.avatar_url })
  t.equal(served.statusCode, 200)
  t.same(served.rawPayload, first)
  t.match(served.headers, {
    'content-type': 'image/png',
    'content-length': String(first.length),
    etag: `"${sha256(first)}"`,
    'cache-control': 'private, max-age=31536000, immutable',
    'content-disposition': 'inline; filename=local.png',
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox'
  })
  const unversioned = await app.inject({ method: 'GET', url: '/users/local/avatar' })
  t.equal(unversioned.headers['cache-control'], 'private, no-cache', 'without its version it is revalidated')
  t.equal((await app.inject({ method: 'GET', url: '/users/local/avatar', headers: { 'if-none-match': `"${sha256(first)}"` } })).statusCode, 304)

  const second = png(32, 48)
  const replaced = (await putAvatar(app, [picture(second)])).json()
  t.not(replaced.avatar_url, profile.avatar_url, 'a new picture is a new URL')
  t.equal((await app.inject({ method: 'GET', url: profile.avatar_url })).headers['cache-control'], 'private, no-cache', 'the old URL is revalidated')
  t.same((await app.inject({ method: 'GET', url: profile.avatar_url })).rawPayload, second, 'and gets the new picture')
  t.notOk(blobExists(sha256(first)), 'the old picture\'s file is gone')
  t.ok(blobExists(sha256(second)))
  t.same(await app.uploads.sweep({ ...app.uploadSweep, olderThanMs: 0 }), { temporary: 0, orphans: 0 }, 'the sweep keeps a picture someone has')

  t.equal((await app.inject({ method: 'DELETE', url: '/users/me/avatar' })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/users/local' })).json().avatar_url, null)
  t.equal((await app.inject({ method: 'GET', url: '/users/local/avatar' })).statusCode, 404)
  t.notOk(blobExists(sha256(second)), 'removed, its file is gone')
  t.equal((await app.inject({ method: 'DELETE', url: '/users/me/avatar' })).statusCode, 204, 'removing no picture is no error')
})

t.test('a picture that is not a PNG, JPEG, WebP or GIF image of at most 2 MiB and 4096 pixels a side is refused, naming the field', async (t) => {
  const { app } = await profileApp(t)
  const cases: [string, Parameters<typeof multipartBody>[0], number, RegExp][] = [
    ['HTML declared as a PNG', [picture(Buffer.from('<html><script>alert(1)</script></html>'))], 422, /is not a PNG, JPEG, WebP or GIF image \(its bytes are text\/html/],
    ['an SVG', [picture(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml')], 422, /its bytes are image\/svg\+xml/],
    ['too wide', [picture(png(4097, 10))], 422, /4097×10 pixels: at most 4096 a side/],
    ['too tall', [picture(png(10, 5000))], 422, /at most 4096 a side/],
    ['a PNG cut short', [picture(png(10, 10).subarray(0, 20))], 422, /cannot be read/],
    ['two pictures', [picture(png(8, 8)), picture(png(9, 9))], 422, /is one picture/],
    ['no picture', [{ field: 'bio', value: 'x' }], 422, /bio is not a part of this form/],
    ['over 2 MiB', [picture(Buffer.concat([png(8, 8), Buffer.alloc(2 * 1024 * 1024)]))], 413, /longer than the limit of 2097152 bytes/]
  ]
  for (const [name, parts, status, detail] of cases) {
    const response = await putAvatar(app, parts)
    t.equal(response.statusCode, status, name)
    t.match(response.json().detail, detail, name)
  }
  t.equal((await putAvatar(app, [picture(png(4096, 4096))])).statusCode, 200, 'exactly 4096 a side is fine')
  t.same(await app.uploads.sweep({ ...app.uploadSweep, olderThanMs: 0 }), { temporary: 0, orphans: 0 }, 'no refused picture was left behind')
})

t.test('with AUTH=on, every signed-in user sees another\'s profile and picture; nobody without a token', async (t) => {
  const { app } = await profileApp(t, { AUTH: 'on', REGISTRATION: 'open' })
  await createUser(app, 'ann')
  await createUser(app, 'bob')
  const ann = bearer((await signIn(app, 'ann')).access_token)
  const bob = bearer((await signIn(app, 'bob')).access_token)
  await app.inject({ method: 'PATCH', url: '/users/me', headers: ann, payload: { bio: 'Owns apollo' } })
  const { avatar_url: avatarUrl } = (await putAvatar(app, [picture(png(16, 16))], ann)).json()
  t.match((await app.inject({ method: 'GET', url: '/users/ann', headers: bob })).json(), { username: 'ann', bio: 'Owns apollo', avatar_url: avatarUrl })
  t.equal((await app.inject({ method: 'GET', url: avatarUrl, headers: bob })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/users/ann' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: avatarUrl })).statusCode, 401)
  t.equal((await putAvatar(app, [picture(png(16, 16))])).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/users/bob', headers: ann })).json().avatar_url, null, 'bob has none')
})
