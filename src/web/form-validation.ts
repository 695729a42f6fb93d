import type { TSchema } from '@sinclair/typebox'
import type { ErrorObject } from 'ajv'
import { requestValidatorCompiler } from '../request-validator.js'
import { sharedSchemas } from '../schemas/shared-schemas.js'
import { PATTERN_MEANINGS } from '../schemas/text-patterns.js'
import { USERNAME_PATTERN } from '../schemas/user.js'

/** What is wrong with a form, as a message for each field, by the field's name. */
export type FieldErrors = Record<string, string>

export type FormCheck<T> = (input: Record<string, unknown>) => { value: T, errors?: undefined } | { errors: FieldErrors }

const compile = requestValidatorCompiler(sharedSchemas)

// Patterns said in words, beside those the API's problems say.
const PATTERNS: Record<string, string> = {
  ...PATTERN_MEANINGS,
  [USERNAME_PATTERN]: 'must be 3-39 lowercase letters, digits, _ or -'
}

/**
 * A check of a form's input against the same schema, compiled the same way,
 * as the API checks a JSON body with: one message for each wrong field, in
 * words a person reads beside the field (`Title is required`), the field
 * named by its label. `labels` lists the form's fields in their order on
 * the page, which the messages follow. A field inside another (a place's
 * latitude, `/location/latitude`) is the form field named by both, joined
 * by `_` (`location_latitude`).
 */
export function formCheck<T> (schema: TSchema, labels: Record<string, string>): FormCheck<T> {
  const validate = compile({ schema, httpPart: 'body', method: 'POST', url: '/' }) as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null }
  return (input) => {
    if (validate(input)) return { value: input as T }
    const errors: FieldErrors = {}
    const located = (validate.errors ?? []).map((error) => ({ error, path: pathOf(error) }))
    for (const { error, path } of located) {
      const field = path.join('_')
      // The first message for a field is the one shown. A nullable field's
      // alternatives (`anyOf`) add nothing to it; nor does what is said of a
      // whole (the place is not null) when something is said of a part of
      // it (its latitude is too large).
      if (field in errors || error.keyword === 'anyOf' || located.some((other) => isInside(other.path, path))) continue
      errors[field] = `${labels[field] ?? field} ${meaning(error)}`
    }
    return { errors: inFormOrder(errors, labels) }
  }
}

/** The messages in the order of the form's fields (as `labels` lists them), those of other fields last. */
export function inFormOrder (errors: FieldErrors, labels: Record<string, string>): FieldErrors {
  const order = Object.keys(labels)
  const rank = (field: string) => order.includes(field) ? order.indexOf(field) : order.length
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)))
}

/** Where in the input an error is: the names from the top down (`['location', 'latitude']`). */
function pathOf ({ keyword, params, instancePath }: ErrorObject): string[] {
  const path = instancePath.split('/').slice(1)
  if (keyword === 'required') return [...path, String(params.missingProperty)]
  if (keyword === 'additionalProperties') return [...path, String(params.additionalProperty)]
  return path
}

/** Whether `inner` is a path below `outer`. */
function isInside (inner: string[], outer: string[]): boolean {
  return inner.length > outer.length && outer.every((name, index) => inner[index] === name)
}

const TYPE_MEANINGS: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number'
}

function meaning ({ keyword, params }: ErrorObject): string {
  switch (keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return 'is not a field of this form'
    case 'minLength':
      return params.limit === 1 ? 'is required' : `must be at least ${String(params.limit)} characters`
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`
    case 'format':
      return params.format === 'email' ? 'must be an email address, like ada@example.com' : `must be a valid ${String(params.format)}`
    case 'pattern':
      return PATTERNS[String(params.pattern)] ?? 'is not valid'
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`
    case 'minimum':
      return `must be at least ${String(params.limit)}`
    case 'maximum':
      return `must be at most ${String(params.limit)}`
    case 'type':
      return TYPE_MEANINGS[String(params.type)] ?? `must be ${String(params.type)}`
    default:
      return 'is not valid'
  }
}
