import type { build } from '../helper.js'
import { administratorToken, bearer, createUser, signIn } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>

/** apollo, owned by ann, with bob editing and cat viewing; eve in no project; a task in it. Answers each user's bearer headers. */
export async function apolloWorld (app: App) {
  const root = await administratorToken(app)
  const headers: Record<string, { authorization: string }> = { root: bearer(root) }
  for (const username of ['ann', 'bob', 'cat', 'eve']) {
    await createUser(app, username, {}, root)
    headers[username] = bearer((await signIn(app, username)).access_token)
  }
  const as = (username: string) => headers[username] as { authorization: string }
  await app.inject({ method: 'POST', url: '/projects', headers: as('ann'), payload: { name: 'Apollo', slug: 'apollo' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/bob', headers: as('ann'), payload: { role: 'editor' } })
  await app.inject({ method: 'PUT', url: '/projects/apollo/members/cat', headers: as('ann'), payload: { role: 'viewer' } })
  const apollo = (await app.inject({ method: 'POST', url: '/tasks', headers: as('ann'), payload: { title: 'In apollo', project: 'apollo' } })).json()
  return { as, apollo }
}
