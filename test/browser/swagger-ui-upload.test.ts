import t from 'tap'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { startServer, temporaryDirectory } from '../helper.js'
import { BROWSER_TIMEOUT_MS, launchChromium } from './chromium.js'

// A 1×1 PNG: binary bytes (not UTF-8) that would not survive being sent as text, and that the server types by sniffing.
const PIXEL = { name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64') }
const NOTES = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Bring the projector.\n') }

interface Attachment { id: number, filename: string, size: number, content_type: string, sha256: string, url: string }

t.test('a person attaches two files to a task, and sets their picture, with Try it out on /docs; the server keeps exactly their bytes', async (t) => {
  const server = await startServer(t, { DATABASE_URL: join(temporaryDirectory(t), 'tasks.db') })
  const created = await fetch(`${server.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Prepare the offsite' })
  })
  t.equal(created.status, 201, 'a task created with a plain request, for the browser to attach to')
  const task = await created.json() as { id: number }

  const browser = await launchChromium(t)
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
  page.setDefaultTimeout(BROWSER_TIMEOUT_MS)
  const problems: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', (error) => problems.push(error.message))
  await page.goto(`${server.url}/docs`)

  const createAttachments = page.locator('#operations-Attachments-createAttachments')
  await createAttachments.locator('.opblock-summary').click()
  await createAttachments.locator('.try-out__btn').click()
  await createAttachments.locator('input[placeholder="task_id"]').fill(String(task.id))
  // An array of binary strings is a list of file inputs: Swagger UI shows one, and "Add string item" adds the next.
  const files = createAttachments.locator('tr[data-property-name="file"] input[type="file"]')
  await files.nth(0).setInputFiles(PIXEL)
  await createAttachments.getByRole('button', { name: 'Add string item' }).click()
  await files.nth(1).setInputFiles(NOTES)

  const sent = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === `/v2/tasks/${task.id}/attachments`)
  await createAttachments.locator('.execute').click()
  t.match(await (await sent).headerValue('content-type'), /^multipart\/form-data; boundary=/, 'Execute sent the form as multipart/form-data')
  const response = createAttachments.locator('.live-responses-table .response')
  await response.waitFor()
  t.equal((await response.locator('.response-col_status').innerText()).trim(), '201', 'Swagger UI shows the response code 201')
  const shown = await response.locator('.response-col_description .microlight').first().innerText()
  t.match(shown, `"filename": "${PIXEL.name}"`, 'and a body naming the picture')
  t.match(shown, `"filename": "${NOTES.name}"`, 'and the text file')

  const listed = await fetch(`${server.url}/tasks/${task.id}/attachments`)
  t.equal(listed.status, 200)
  const { items } = await listed.json() as { items: Attachment[] }
  t.match(items, [
    { filename: PIXEL.name, size: PIXEL.buffer.length, content_type: 'image/png', sha256: sha256(PIXEL.buffer) },
    { filename: NOTES.name, size: NOTES.buffer.length, content_type: /^text\/plain\b/, sha256: sha256(NOTES.buffer) }
  ], 'the task lists both files, each one as it was chosen')
  t.equal(items.length, 2, 'and nothing else')
  for (const [attachment, chosen] of [[items[0], PIXEL], [items[1], NOTES]] as const) {
    if (attachment === undefined) continue
    const content = await fetch(`${server.url}${attachment.url}`)
    t.equal(content.status, 200)
    t.same(Buffer.from(await content.arrayBuffer()), chosen.buffer, `${attachment.url} gives back exactly the bytes of ${chosen.name}`)
  }

  // The same picture as one's own avatar: a single binary field is one file input.
  const putAvatar = page.locator('#operations-Users-putAvatar')
  await putAvatar.locator('.opblock-summary').click()
  await putAvatar.locator('.try-out__btn').click()
  await putAvatar.locator('tr[data-property-name="avatar"] input[type="file"]').setInputFiles(PIXEL)
  await putAvatar.locator('.execute').click()
  const avatarResponse = putAvatar.locator('.live-responses-table .response')
  await avatarResponse.waitFor()
  t.equal((await avatarResponse.locator('.response-col_status').innerText()).trim(), '200', 'Swagger UI shows the picture set (200)')
  const profile = await (await fetch(`${server.url}/users/local`)).json() as { avatar_url: string }
  t.match(profile, { avatar_url: `/users/local/avatar?v=${sha256(PIXEL.buffer).slice(0, 16)}` }, 'the profile names the picture')
  t.same(Buffer.from(await (await fetch(`${server.url}${profile.avatar_url}`)).arrayBuffer()), PIXEL.buffer, 'which is served as it was chosen')

  t.same(problems, [], 'no errors in the page\'s console')
})

function sha256 (bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
