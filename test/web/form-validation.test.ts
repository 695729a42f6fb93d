import t from 'tap'
import { Type } from '@sinclair/typebox'
import { formCheck } from '../../src/web/form-validation.js'
import { NO_NUL_OR_LONE_SURROGATE } from '../../src/schemas/text-patterns.js'
import { USERNAME_PATTERN } from '../../src/schemas/user.js'
import { Nullable } from '../../src/schemas/type-helpers.js'

const Form = Type.Object({
  title: Type.String({ minLength: 1, pattern: NO_NUL_OR_LONE_SURROGATE }),
  password: Type.String({ minLength: 8, maxLength: 12 }),
  email: Nullable(Type.String({ format: 'email' })),
  when: Type.String({ format: 'date-time' }),
  username: Type.String({ pattern: USERNAME_PATTERN }),
  code: Type.String({ pattern: '^[A-Z]{3}$' }),
  colour: Type.Union([Type.Literal('red'), Type.Literal('blue')]),
  size: Type.Integer({ minimum: 1, maximum: 5 }),
  flag: Type.Boolean(),
  step: Type.Number({ multipleOf: 5 })
}, { additionalProperties: false })

const check = formCheck(Form, { title: 'Title', password: 'Password', email: 'Email', when: 'When', username: 'Username', size: 'Size' })

t.test('a form that fits the schema is its value', async (t) => {
  const input = { title: 'Hi', password: 'long enough', email: null, when: '2026-12-04T10:00:00Z', username: 'ada', code: 'ABC', colour: 'red', size: 3, flag: true, step: 10 }
  t.same(check(input), { value: input })
})

t.test('each wrong field gets one message in words, named by its label (or its name without one)', async (t) => {
  const { errors } = check({ title: 'a\u0000b', password: 'short', email: 'nope', when: 'today', username: 'Ada!', code: 'abc', colour: 'green', size: 9, flag: 'yes', step: 7 }) as { errors: Record<string, string> }
  t.same(errors, {
    title: 'Title must not contain NUL (U+0000) or an unpaired surrogate',
    password: 'Password must be at least 8 characters',
    email: 'Email must be an email address, like ada@example.com',
    when: 'When must be a valid date-time',
    username: 'Username must be 3-39 lowercase letters, digits, _ or -',
    code: 'code is not valid',
    colour: 'colour is not valid',
    size: 'Size must be at most 5',
    flag: 'flag must be boolean',
    step: 'step is not valid'
  })
  t.same((check({ title: '', password: 'x'.repeat(13), email: null, when: '2026-12-04T10:00:00Z', username: 'ada', code: 'ABC', colour: 'red', size: 0, flag: true, step: 5 }) as { errors: unknown }).errors, {
    title: 'Title is required',
    password: 'Password must be at most 12 characters',
    size: 'Size must be at least 1'
  })
  t.same((check({ title: 'Hi', password: 'long enough', email: null, when: '2026-12-04T10:00:00Z', username: 'ada', code: 'ABC', colour: 'red', size: 'three', flag: true, step: 5 }) as { errors: unknown }).errors, {
    size: 'Size must be a whole number'
  })
})

t.test('a missing field is required; an unknown one is named', async (t) => {
  const { errors } = check({ title: 'Hi', extra: 1 }) as { errors: Record<string, string> }
  t.equal(errors.password, 'Password is required')
  t.equal(errors.size, 'Size is required')
  t.equal(errors.extra, 'extra is not a field of this form')
})

t.test('an enum names its choices', async (t) => {
  const strict = formCheck(Type.Object({ status: { type: 'string', enum: ['pending', 'done'] } as never }), { status: 'Status' })
  t.same(strict({ status: 'later' }), { errors: { status: 'Status must be one of: pending, done' } })
})
