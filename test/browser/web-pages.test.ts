import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { bearer, build, signIn, temporaryDirectory } from '../helper.js'
import { BROWSER_TIMEOUT_MS, launchChromium } from './chromium.js'

// The README's screenshots are made by this test: `SCREENSHOTS_DIR=docs/screenshots npx tap test/browser/web-pages.test.ts`.
const SCREENSHOT_WIDTHS = [360, 1280] as const
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

t.test('a person signs up, signs in, and manages tasks end to end in Chromium, without a console error', async (t) => {
  const app = await build(t, { AUTH: 'on', REGISTRATION: 'open', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const screenshots = process.env.SCREENSHOTS_DIR ?? temporaryDirectory(t)

  const browser = await launchChromium(t)
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(BROWSER_TIMEOUT_MS)
  const problems: string[] = []
  page.on('console', (message) => {
    // Chromium logs every page answered 4xx; the forms sent wrong on purpose are answered 422, as the test checks.
    if (message.text().endsWith('status of 422 (Unprocessable Entity)')) return
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  const flash = () => page.locator('.flash').innerText()

  await page.goto(`${url}/`)
  t.equal(new URL(page.url()).pathname, '/web/sign-in', 'the site sends someone not signed in to the sign-in form')

  // Sign up: a one-letter name is refused on the server, the rest kept.
  await page.getByRole('link', { name: 'Create an account' }).click()
  await page.getByLabel('Name', { exact: true }).fill('A')
  await page.getByLabel('Username', { exact: true }).fill('ada')
  await page.getByLabel('Email', { exact: true }).fill('ada@example.com')
  await page.getByLabel('Password', { exact: true }).fill('analytical engine')
  await page.getByRole('button', { name: 'Create account' }).click()
  t.equal(await page.locator('.error-summary li').allInnerTexts().then((items) => items.join('|')), 'Name must be at least 2 characters')
  t.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true')
  t.equal(await page.getByLabel('Username', { exact: true }).inputValue(), 'ada', 'the username is kept')
  t.equal(await page.getByLabel('Email', { exact: true }).inputValue(), 'ada@example.com', 'the email is kept')
  t.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not')
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace')
  await page.getByLabel('Password', { exact: true }).fill('analytical engine')
  await page.getByRole('button', { name: 'Create account' }).click()
  t.equal(new URL(page.url()).pathname, '/web/tasks')
  t.equal(await flash(), 'Welcome, Ada Lovelace! Your account is ready.')

  // A few tasks of ada's, made through the API, for the list to show.
  const token = (await signIn(app, 'ada', { password: 'analytical engine' })).access_token
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(token), payload: { name: 'Garden', slug: 'garden' } })
  for (const task of [
    { title: 'Order seeds for spring', priority: 3, project: 'garden' },
    { title: 'Fix the gate latch', priority: 1, status: 'in_progress', assignee: 'Grace' },
    { title: 'Book the chimney sweep', priority: 2, status: 'done' }
  ]) await app.inject({ method: 'POST', url: '/tasks', headers: bearer(token), payload: task })

  // Sign out, and in again.
  await page.getByRole('button', { name: 'Sign out' }).click()
  t.equal(new URL(page.url()).pathname, '/web/sign-in')
  t.equal(await flash(), 'Signed out.')
  await page.goto(`${url}/web/tasks?status=pending`)
  t.equal(new URL(page.url()).search, '?next=%2Fweb%2Ftasks%3Fstatus%3Dpending', 'signed out, the list sends to sign-in')
  await page.getByLabel('Username', { exact: true }).fill('ada')
  await page.getByLabel('Password', { exact: true }).fill('analytical engine')
  await page.getByRole('button', { name: 'Sign in' }).click()
  t.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/web/tasks?status=pending', 'and back to the page asked for')
  t.equal(await flash(), 'Signed in as ada.')

  // A one-character title, a blank, is refused; every other field is kept.
  await page.getByRole('link', { name: 'New task' }).click()
  await page.getByLabel('Title', { exact: true }).fill(' ')
  await page.getByLabel('Description (optional)', { exact: true }).fill('Tomatoes and basil\nnear the wall')
  await page.getByLabel('Priority', { exact: true }).selectOption('4')
  await page.getByLabel('Assignee (optional)', { exact: true }).fill('Grace')
  await page.getByLabel('Email when done (optional)', { exact: true }).fill('grace@example.com')
  await page.getByLabel('Project', { exact: true }).selectOption('garden')
  await page.getByRole('button', { name: 'Create task' }).click()
  t.equal(await page.locator('.error-summary li').allInnerTexts().then((items) => items.join('|')), 'Title is required')
  t.equal((await page.locator('#title-error').innerText()).replace(/\s+/g, ' '), 'Error: Title is required', 'the message is beside the field')
  t.equal(await page.getByLabel('Title', { exact: true }).getAttribute('aria-invalid'), 'true')
  t.same({
    description: await page.getByLabel('Description (optional)', { exact: true }).inputValue(),
    priority: await page.getByLabel('Priority', { exact: true }).inputValue(),
    assignee: await page.getByLabel('Assignee (optional)', { exact: true }).inputValue(),
    email: await page.getByLabel('Email when done (optional)', { exact: true }).inputValue(),
    project: await page.getByLabel('Project', { exact: true }).inputValue()
  }, { description: 'Tomatoes and basil\nnear the wall', priority: '4', assignee: 'Grace', email: 'grace@example.com', project: 'garden' }, 'the other fields are kept')
  await shoot(page, screenshots, 'task-form-errors')

  // Fixed with the keyboard alone: the error summary's link leads to the field, Enter sends the form.
  await page.locator('.error-summary a').focus()
  await page.keyboard.press('Enter')
  t.equal(await page.evaluate('document.activeElement.id'), 'title', 'the summary\'s link moves to the field')
  await page.keyboard.type('Plant the tomatoes')
  await page.keyboard.press('Enter')
  t.equal(new URL(page.url()).pathname, '/web/tasks')
  t.equal(await flash(), 'Task “Plant the tomatoes” created.')
  await shoot(page, screenshots, 'task-list')

  // Edit it.
  await page.getByRole('link', { name: 'Plant the tomatoes' }).click()
  await page.getByLabel('Status', { exact: true }).selectOption('in_progress')
  await page.getByLabel('Priority', { exact: true }).selectOption('2')
  await page.getByRole('button', { name: 'Save changes' }).click()
  t.equal(await flash(), 'Task “Plant the tomatoes” saved.')
  const row = page.locator('.task', { has: page.getByRole('link', { name: 'Plant the tomatoes' }) })
  t.match(await row.innerText(), /In progress[\s\S]*Priority 2[\s\S]*garden[\s\S]*for Grace/)

  // Complete, delete and restore, from the list.
  await row.getByRole('button', { name: 'Complete' }).click()
  t.equal(await flash(), 'Task “Plant the tomatoes” is done.')
  await page.locator('.task', { has: page.getByRole('link', { name: 'Plant the tomatoes' }) }).getByRole('button', { name: 'Delete' }).click()
  t.match(await flash(), 'Task “Plant the tomatoes” deleted.')
  t.equal(await page.getByRole('link', { name: 'Plant the tomatoes' }).count(), 0, 'gone from the list')
  await page.getByLabel('Show deleted', { exact: true }).check()
  await page.getByRole('button', { name: 'Apply' }).click()
  t.equal(new URL(page.url()).searchParams.get('include_deleted'), 'true', 'the filter is in the address')
  const deleted = page.locator('.task.deleted', { hasText: 'Plant the tomatoes' })
  await deleted.getByRole('button', { name: 'Restore' }).click()
  t.equal(await flash(), 'Task “Plant the tomatoes” restored.')
  t.equal(new URL(page.url()).searchParams.get('include_deleted'), 'true', 'back to the list as it was')
  const restored = (await app.inject({ url: '/tasks?q=tomatoes', headers: bearer(token) })).json()
  t.match(restored.items, [{ title: 'Plant the tomatoes', status: 'done', priority: 2, project: 'garden', assignee: 'Grace', deleted_at: null }], 'the API sees what the pages did')

  await page.getByRole('button', { name: 'Sign out' }).click()
  t.equal(new URL(page.url()).pathname, '/web/sign-in')
  t.same(problems, [], 'no console error or warning on any page (a CSP violation would be one)')

  // The style sheet applied: the list is laid out, not unstyled.
  await page.goto(`${url}/web/sign-in`)
  t.equal(await page.evaluate('getComputedStyle(document.querySelector(".site-header")).backgroundColor'), 'rgb(27, 31, 36)')
  for (const name of ['task-form-errors', 'task-list']) {
    for (const width of SCREENSHOT_WIDTHS) {
      t.same(readFileSync(join(screenshots, `${name}-${width}.png`)).subarray(0, 8), PNG_SIGNATURE, `${name} at ${width} px`)
    }
  }
})

/** Screenshots of the whole page at each width, as <name>-<width>.png; the page is left at 1280 px. */
async function shoot (page: Page, directory: string, name: string): Promise<void> {
  for (const width of SCREENSHOT_WIDTHS) {
    await page.setViewportSize({ width, height: 800 })
    await page.screenshot({ path: join(directory, `${name}-${width}.png`), fullPage: true })
  }
  await page.setViewportSize({ width: 1280, height: 900 })
}
