import t from 'tap'
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import { startServer, temporaryDirectory } from '../helper.js'
import { BROWSER_TIMEOUT_MS, launchChromium } from './chromium.js'

// The one log line of the first start with AUTH=on, read as a person reads it off the console.
const ADMINISTRATOR_CREATED = /^Created the administrator "admin" with the password (\S+) \. It is shown only this once: sign in and change it \(PATCH \/users\/me\)\.$/
const ALL_ADMIN_SCOPES = 'tasks:read tasks:write projects:read projects:write users:admin'

t.test('a person signs in on /docs with the administrator password from the log, and Execute on GET /tasks then lists the tasks, in version 2 and in version 1', async (t) => {
  const server = await startServer(t, { AUTH: 'on', DATABASE_URL: join(temporaryDirectory(t), 'tasks.db'), LOG_LEVEL: 'info' })
  const password = administratorPassword(server.output())
  t.ok(password, 'the server logged the administrator password on its first start')
  if (password === undefined) return

  const title = 'Water the office plants'
  const created = await fetch(`${server.url}/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await accessToken(server.url, password)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title })
  })
  t.equal(created.status, 201, 'a task created with a token of our own, for the browser to find')

  const browser = await launchChromium(t)
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
  page.setDefaultTimeout(BROWSER_TIMEOUT_MS)
  await page.goto(`${server.url}/docs`)

  const listTasks = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/tasks"]') })
  await listTasks.locator('.opblock-summary').click()
  await listTasks.locator('.try-out__btn').click()
  const anonymous = await execute(listTasks)
  t.equal(anonymous.status, '401', 'before signing in, Execute on GET /tasks shows the response code 401')
  t.match(anonymous.body, 'This needs a bearer token', 'and a body that says a bearer token is needed')
  await listTasks.locator('.btn-clear').click()
  await listTasks.locator('.live-responses-table').waitFor({ state: 'detached' })

  await page.locator('.auth-wrapper .btn.authorize').click()
  const oauth2 = page.locator('.auth-container', { hasText: 'oauth2 (OAuth2, password)' })
  await oauth2.locator('#oauth_username').fill('admin')
  await oauth2.locator('#oauth_password').fill(password)
  // No scope is ticked: Swagger UI then sends no `scope`, and the server grants every scope the user may have.
  const signedIn = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/token')
  await oauth2.locator('.auth-btn-wrapper .authorize').click()
  const tokenResponse = await signedIn
  t.equal(tokenResponse.status(), 200, 'the dialog\'s Authorize got tokens from POST /auth/token')
  t.equal((await tokenResponse.json() as { scope: string }).scope, ALL_ADMIN_SCOPES, 'with every scope of an administrator, though none was ticked')
  await oauth2.locator('h6', { hasText: 'Authorized' }).waitFor()
  t.same(await oauth2.locator('.errors').allInnerTexts(), [], 'the dialog shows "Authorized" and no error')
  await oauth2.locator('.btn-done').click()
  await page.locator('.modal-ux').waitFor({ state: 'detached' })
  t.match(await page.locator('.auth-wrapper .btn.authorize').getAttribute('class'), /\blocked\b/, 'the Authorize button shows a closed lock')

  // The document first shown is version 2's, served under /v2.
  const sent = page.waitForRequest((request) => new URL(request.url()).pathname === '/v2/tasks')
  const signedInList = await execute(listTasks)
  t.equal(signedInList.status, '200', 'signed in, Execute on GET /tasks shows the response code 200')
  t.match(signedInList.body, '"items"', 'and a page of tasks')
  t.match(signedInList.body, title, 'that lists the task created beforehand')

  const authorization = await (await sent).headerValue('authorization')
  t.match(authorization, /^Bearer \S+$/, 'the browser sent its access token as a bearer token')
  const me = await fetch(`${server.url}/users/me`, { headers: { authorization: authorization ?? '' } })
  t.equal(me.status, 200, 'the server accepts the token the browser sent')
  t.equal((await me.json() as { username: string }).username, 'admin', 'as the administrator\'s')

  // The top bar switches to version 1's document, whose list is a bare array, deprecated.
  await page.locator('.topbar select').selectOption({ label: 'Version 1 (deprecated)' })
  const v1List = page.locator('#operations-Tasks-listTasksV1')
  await v1List.locator('.opblock-summary').click()
  t.match(await v1List.getAttribute('class'), /\bopblock-deprecated\b/, 'version 1\'s list is shown as deprecated')
  await v1List.locator('.try-out__btn').click()
  const sentV1 = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/tasks')
  await v1List.locator('.execute').click()
  const answeredV1 = await sentV1
  t.equal(answeredV1.status(), 200, 'Execute on version 1\'s GET /tasks is answered 200, the token still in use')
  t.match(answeredV1.headers().deprecation, /^@\d+$/, 'with a Deprecation header')
  // Swagger UI keeps one response per method and path, so until the new one
  // is shown the block may still show version 2's answer to GET /tasks.
  const arrayShown = v1List.locator('.live-responses-table .response .response-col_description', { hasText: /Response body\s*Download\s*\[\s*\{/ })
  await arrayShown.waitFor()
  t.match(await arrayShown.innerText(), title, 'and it shows a bare array of the tasks')
})

/** The password in the log line of the administrator's creation. */
function administratorPassword (output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue
    const match = ADMINISTRATOR_CREATED.exec((JSON.parse(line) as { msg?: string }).msg ?? '')
    if (match !== null) return match[1]
  }
  return undefined
}

/** An access token of the administrator, as any OAuth client gets one. */
async function accessToken (url: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: 'admin', password })
  })
  if (response.status !== 200) throw new Error(`sign-in failed with ${response.status}: ${await response.text()}`)
  return (await response.json() as { access_token: string }).access_token
}

/** Clicks Execute and reads the response code and body Swagger UI then shows. */
async function execute (operation: Locator): Promise<{ status: string, body: string }> {
  await operation.locator('.execute').click()
  const response = operation.locator('.live-responses-table .response')
  await response.waitFor()
  return {
    status: (await response.locator('.response-col_status').innerText()).trim(),
    body: await response.locator('.response-col_description').innerText()
  }
}
