import t from 'tap'
import { build, createUser } from '../../helper.js'

// Timing is noisy on a shared machine, so this compares medians of
// interleaved attempts with a wide margin: what it must catch is a sign-in
// for an unknown user that skips the password hash, which answers a hundred
// times faster (the control below shows the measurement sees such a gap).
const ATTEMPTS = 15
const MARGIN = 3

async function timed (attempt: () => Promise<unknown>, samples: number[]): Promise<void> {
  const started = performance.now()
  await attempt()
  samples.push(performance.now() - started)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

t.test('signing in as an unknown user takes as long as with a wrong password, so the answer does not tell which usernames exist', async (t) => {
  const app = await build(t, { LOGIN_MAX_FAILURES_PER_USER: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000' })
  await createUser(app, 'ada')
  const signIn = async (username: string, password: string) => app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'password', username, password }).toString()
  })
  const wrongPassword: number[] = []
  const unknownUser: number[] = []
  const noHash: number[] = []
  // One of each first, unmeasured: the dummy hash is made on first need.
  await signIn('nobody', 'x')
  await signIn('ada', 'x')
  for (let index = 0; index < ATTEMPTS; index++) {
    await timed(() => signIn('ada', `wrong password ${index}`), wrongPassword)
    await timed(() => signIn(`nobody-${index}`, `any password ${index}`), unknownUser)
    // The control: a request refused before any password is checked.
    await timed(() => signIn('ada', ''), noHash)
  }
  const [wrong, unknown, control] = [median(wrongPassword), median(unknownUser), median(noHash)]
  t.comment(`median ms: wrong password ${wrong.toFixed(2)}, unknown user ${unknown.toFixed(2)}, no password check ${control.toFixed(2)}`)
  t.ok(unknown > wrong / MARGIN && unknown < wrong * MARGIN, `an unknown user (${unknown.toFixed(1)} ms) within ${MARGIN}x of a wrong password (${wrong.toFixed(1)} ms)`)
  t.ok(wrong > control * MARGIN, `the measurement tells a password check (${wrong.toFixed(1)} ms) from none (${control.toFixed(1)} ms)`)
})
