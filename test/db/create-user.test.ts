import t from 'tap'
import { join } from 'node:path'
import { build, runToExit, signIn, temporaryDirectory } from '../helper.js'

const SCRIPT = 'src/db/create-user.ts'

t.test('npm run user:create makes a user with the password from standard input, who can then sign in', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'tasks.db')
  const admin = await runToExit(SCRIPT, { DATABASE_URL: databaseUrl }, ['--username', 'ops', '--admin', '--email', 'ops@example.com', '--display-name', 'Operations'], 'a long admin password\n')
  t.same([admin.code, admin.output.trim()], [0, 'Created the admin ops.'])
  const member = await runToExit(SCRIPT, { DATABASE_URL: databaseUrl }, ['--username=ada'], 'ada password')
  t.same([member.code, member.output.trim()], [0, 'Created the member ada.'], 'the last line needs no newline')

  const app = await build(t, { DATABASE_URL: databaseUrl, AUTH: 'on' })
  t.match(await app.db.users.findByUsername('ops'), { role: 'admin', email: 'ops@example.com', display_name: 'Operations' })
  t.match(await app.db.users.findByUsername('ada'), { role: 'member', email: null, display_name: 'ada' })
  t.match((await signIn(app, 'ops', { password: 'a long admin password' })).scope, /users:admin/, 'the administrator signs in with that password')
  t.ok(await signIn(app, 'ada', { password: 'ada password' }))
  t.notOk(await app.db.users.findByUsername('admin'), 'and no administrator was made at start: one already existed')
})

t.test('a bad argument, a bad value or a taken name is one clear line and exit 1', async (t) => {
  const databaseUrl = join(temporaryDirectory(t), 'tasks.db')
  const run = async (args: string[], input = 'a fine password\n') => runToExit(SCRIPT, { DATABASE_URL: databaseUrl }, args, input)
  const cases: Array<[string[], string, RegExp]> = [
    [[], 'a fine password\n', /^--username is required\. Usage: npm run user:create -- --username NAME/],
    [['--username', 'ada', '--colour', 'red'], 'a fine password\n', /^Unknown option '--colour'\. Usage:/],
    [['--username', 'ada'], '', /^Give the password on standard input\. Usage:/],
    [['--username', 'ada'], 'short\n', /^password must NOT have fewer than 8 characters$/],
    [['--username', 'Ada!', '--email', 'nope'], 'a fine password\n', /^username must match pattern .*; email must match format "email"$/]
  ]
  for (const [args, input, message] of cases) {
    const { code, output } = await run(args, input)
    t.equal(code, 1, args.join(' '))
    t.match(output.trim(), message)
    t.equal(output.trim().split('\n').length, 1, 'one line')
  }
  t.equal((await run(['--username', 'ada', '--email', 'ada@example.com'])).code, 0)
  t.same(await run(['--username', 'ada']), { code: 1, output: 'Another user already has this username.\n' })
  t.same(await run(['--username', 'bob', '--email', 'Ada@Example.com']), { code: 1, output: 'Another user already has this email.\n' })
})
