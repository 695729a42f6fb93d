import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { devNull } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { Type } from '@sinclair/typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { hashPassword } from '../auth/passwords.js'
import { loadConfig } from '../config.js'
import { UserCreate } from '../schemas/user.js'
import { openDatabase } from './open-database.js'

// `npm run user:create -- --username NAME [--admin] [--email ADDRESS]
// [--display-name NAME]`: creates a user in the database at DATABASE_URL,
// with the password read from standard input (its first line; typed at a
// terminal, it is not shown).
const USAGE = 'Usage: npm run user:create -- --username NAME [--admin] [--email ADDRESS] [--display-name NAME] < password'

// The API's own rules for each field; only the email may be left out here.
const CommandInput = Type.Object({
  username: UserCreate.properties.username,
  email: Type.Optional(UserCreate.properties.email),
  display_name: UserCreate.properties.display_name,
  password: UserCreate.properties.password
})

function readArguments () {
  try {
    const { values } = parseArgs({
      options: { username: { type: 'string' }, admin: { type: 'boolean', default: false }, email: { type: 'string' }, 'display-name': { type: 'string' } }
    })
    if (values.username === undefined) throw new Error('--username is required.')
    return values as typeof values & { username: string }
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/\.$/, '')}. ${USAGE}`)
  }
}

/** The first line of standard input; at a terminal, after a prompt, with the typing not echoed (readline echoes to /dev/null). */
async function readPassword (): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ')
  const lines = createInterface({ input: process.stdin, output: createWriteStream(devNull), terminal: process.stdin.isTTY })
  const [line] = await Promise.race([once(lines, 'line'), once(lines, 'close').then(() => [undefined])]) as [string | undefined]
  lines.close()
  if (process.stdin.isTTY) process.stderr.write('\n')
  if (line === undefined || line === '') throw new Error(`Give the password on standard input. ${USAGE}`)
  return line
}

try {
  const { username, admin, email, 'display-name': displayName } = readArguments()
  const input = { username, email, display_name: displayName ?? username, password: await readPassword() }
  const ajv = new Ajv({ allErrors: true })
  addFormats.default(ajv, ['email'])
  const validate = ajv.compile(CommandInput)
  if (!validate(input)) {
    throw new Error((validate.errors ?? []).map(({ instancePath, message }) => `${instancePath.slice(1)} ${message}`).join('; '))
  }
  const database = await openDatabase(loadConfig())
  try {
    const created = await database.users.create({
      username,
      email: email ?? null,
      displayName: input.display_name,
      role: admin ? 'admin' : 'member',
      passwordHash: await hashPassword(input.password)
    })
    if (typeof created === 'string') throw new Error(`Another user already has this ${created === 'username-taken' ? 'username' : 'email'}.`)
    console.log(`Created the ${created.role} ${created.username}.`)
  } finally {
    await database.close()
  }
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
