import t from 'tap'
import { join } from 'node:path'
import { startServer, temporaryDirectory } from '../helper.js'

// Everything a log at the most verbose level shows of a session full of
// passwords and tokens: none of them may be in it, but the first
// administrator's password, written once on purpose.

t.test('no password or token reaches the log, even at LOG_LEVEL=trace and when a client puts one in the URL', async (t) => {
  const server = await startServer(t, { AUTH: 'on', LOG_LEVEL: 'trace', DATABASE_URL: join(temporaryDirectory(t), 'tasks.db') })
  const adminPassword = /the password (\S+) \./.exec(server.output())?.[1] as string
  const secrets: string[] = []
  let requests = 0
  const call = async (method: string, path: string, { token, json, form }: { token?: string, json?: unknown, form?: Record<string, string> } = {}) => {
    requests++
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(json === undefined ? {} : { 'content-type': 'application/json' })
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      ...(form === undefined ? {} : { body: new URLSearchParams(form) })
    })
    return { status: response.status, body: await response.json().catch(() => null) as any }
  }
  const signIn = async (username: string, password: string) => {
    const { body } = await call('POST', '/auth/token', { form: { grant_type: 'password', username, password } })
    if (body.access_token !== undefined) secrets.push(body.access_token, body.refresh_token)
    return body
  }

  const admin = await signIn('admin', adminPassword)
  const adaPassword = 'ada first secret 7f3k'
  const newPassword = 'ada second secret 9q2m'
  const guess = 'a wrong guess 4h8z'
  secrets.push(adaPassword, newPassword, guess)
  t.equal((await call('POST', '/users', { token: admin.access_token, json: { username: 'ada', email: 'ada@example.com', password: adaPassword } })).status, 201)
  await signIn('ada', guess)
  await signIn('nobody', guess)
  const ada = await signIn('ada', adaPassword)
  const refreshed = await call('POST', '/auth/token', { form: { grant_type: 'refresh_token', refresh_token: ada.refresh_token } })
  secrets.push(refreshed.body.access_token, refreshed.body.refresh_token)
  t.equal((await call('POST', '/auth/token', { form: { grant_type: 'refresh_token', refresh_token: ada.refresh_token } })).status, 400, 'a reused refresh token')
  const pat = await call('POST', '/users/me/tokens', { token: refreshed.body.access_token, json: { name: 'script', scopes: ['tasks:read'] } })
  secrets.push(pat.body.token)
  t.equal((await call('GET', '/tasks', { token: pat.body.token })).status, 200)
  t.equal((await call('PATCH', '/users/me', { token: refreshed.body.access_token, json: { password: newPassword, current_password: guess } })).status, 422, 'a wrong current password')
  t.equal((await call('PATCH', '/users/me', { token: refreshed.body.access_token, json: { password: newPassword, current_password: adaPassword } })).status, 200)
  t.equal((await call('GET', '/tasks', { token: pat.body.token })).status, 401, 'a token ended by the password change')
  t.equal((await call('POST', '/auth/token', { json: { grant_type: 'password', username: 'ada', password: newPassword } })).status, 400, 'a token request sent as JSON')
  t.equal((await call('POST', '/users', { token: admin.access_token, json: { username: 'bob', email: 'bob@example.com', password: `${newPassword}${'x'.repeat(300)}` } })).status, 422, 'an over-long password')
  const inUrl = `/tasks?access_token=${encodeURIComponent(ada.access_token)}&password=${encodeURIComponent(newPassword)}&refresh_token=${encodeURIComponent(ada.refresh_token)}`
  t.equal((await call('GET', inUrl)).status, 401, 'secrets in the URL are no token')
  const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.forged-token-value-z9'
  secrets.push(forged)
  t.equal((await call('GET', '/users/me', { token: forged })).status, 401)
  t.equal(await server.stop(), 0)

  const log = server.output()
  t.equal(log.split('"msg":"incoming request"').length - 1, requests, 'the log holds every request as it came')
  t.equal(log.split('"msg":"request completed"').length - 1, requests, 'and as it was answered')
  for (const secret of secrets) t.notOk(log.includes(secret), `${secret.slice(0, 12)}... is not in the log`)
  t.equal(log.split(adminPassword).length - 1, 1, 'the first administrator\'s password is in it once, as documented')
  t.match(log, /"url":"\/tasks\?access_token=\[redacted\]&password=\[redacted\]&refresh_token=\[redacted\]"/, 'the URL is logged with the secrets taken out')
})
