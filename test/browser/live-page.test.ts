import t from 'tap'
import type { Page } from 'playwright-core'
import { administratorToken, bearer, build, createUser, signIn } from '../helper.js'
import { BROWSER_TIMEOUT_MS, launchChromium } from './chromium.js'

t.test('two people on /live in two tabs see each other come and go, task changes, and each other\'s comments', async (t) => {
  const app = await build(t, { AUTH: 'on', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const root = await administratorToken(app)
  for (const username of ['ann', 'bob']) await createUser(app, username, {}, root)
  const ann = (await signIn(app, 'ann')).access_token
  const bob = (await signIn(app, 'bob')).access_token
  await app.inject({ method: 'POST', url: '/projects', headers: bearer(ann), payload: { name: 'Apollo', slug: 'apollo' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/bob', headers: bearer(ann), payload: { role: 'editor' } })

  const browser = await launchChromium(t)
  const problems: string[] = []
  /** A tab on /live, joined to apollo with `token`. */
  const tab = async (token: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(BROWSER_TIMEOUT_MS)
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(`${url}/live`)
    await page.getByLabel('Project').fill('apollo')
    await page.getByLabel('Access token').fill(token)
    await page.getByRole('button', { name: 'Join' }).click()
    await page.locator('#status', { hasText: 'Following apollo.' }).waitFor()
    return page
  }
  const events = (page: Page) => page.locator('#events li')

  const annsTab = await tab(ann)
  t.same(await annsTab.locator('#present li').allInnerTexts(), ['ann'])
  const bobsTab = await tab(bob)
  t.same(await bobsTab.locator('#present li').allInnerTexts(), ['ann', 'bob'], 'bob sees who is there')
  await events(annsTab).filter({ hasText: 'bob joined' }).waitFor()
  t.same(await annsTab.locator('#present li').allInnerTexts(), ['ann', 'bob'], 'ann sees bob come')

  const task = (await app.inject({ method: 'POST', url: '/tasks', headers: bearer(ann), payload: { title: 'Book the <b>venue</b>', project: 'apollo' } })).json()
  for (const page of [annsTab, bobsTab]) {
    await events(page).filter({ hasText: `#${task.id} Book the <b>venue</b> (pending)` }).waitFor()
  }
  t.pass('a task created with curl shows in both tabs at once, its title as text')

  await bobsTab.getByLabel('Task id').fill(String(task.id))
  await bobsTab.getByLabel('Comment', { exact: true }).fill('Booked for Friday')
  await bobsTab.getByRole('button', { name: 'Send' }).click()
  await events(annsTab).filter({ hasText: `bob: Booked for Friday (task ${task.id})` }).waitFor()
  await events(bobsTab).filter({ hasText: `you: Booked for Friday (task ${task.id})` }).waitFor()
  t.equal(await events(bobsTab).filter({ hasText: 'Booked for Friday' }).count(), 1, 'bob sees his comment once, acknowledged, not echoed')
  t.equal((await app.inject({ method: 'GET', url: `/tasks/${task.id}/comments`, headers: bearer(ann) })).json().items[0].body, 'Booked for Friday', 'and it is stored')

  await bobsTab.close()
  await events(annsTab).filter({ hasText: 'bob left' }).waitFor()
  t.same(await annsTab.locator('#present li').allInnerTexts(), ['ann'], 'ann sees bob go')
  t.same(problems, [], 'no errors in either tab\'s console')
})
