import type { FastifyError, FastifySchemaValidationError } from 'fastify'
import type { ProblemFieldError } from '../schemas/problem.js'
import { PATTERN_MEANINGS } from '../schemas/text-patterns.js'
import { ProblemError } from './problem-error.js'

// A body with thousands of unknown fields still gets a problem of a sane size.
const MAX_REPORTED_ERRORS = 20

const PART_NAMES: Record<string, string> = {
  body: 'request body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header'
}

interface Located {
  segments: string[]
  detail: string
}

interface LocatedAjvError extends Located {
  keyword: string
}

/**
 * Turns Ajv's errors for one part of a request into a validation problem
 * whose `errors` name each offending body member (`pointer`) or parameter.
 */
export function validationProblem (part: NonNullable<FastifyError['validationContext']>, validation: FastifySchemaValidationError[]): ProblemError {
  const located = collapseAlternatives(validation.map((error) => locate(error, part === 'body' ? 'field' : 'parameter')))
  const reported = located.slice(0, MAX_REPORTED_ERRORS)
  const errors = reported.map(({ segments, detail }): ProblemFieldError =>
    part === 'body'
      ? { detail, pointer: `#${segments.map((segment) => `/${encodeURIComponent(escapePointerSegment(segment))}`).join('')}` }
      : { detail, parameter: segments.join('.') }
  )
  const summary = reported
    .map(({ segments, detail }) => `${segments.length > 0 ? segments.join('.') : 'body'} ${detail}`)
    .join('; ')
  const more = located.length > MAX_REPORTED_ERRORS ? ` (and ${located.length - MAX_REPORTED_ERRORS} more)` : ''
  return new ProblemError('validation', `Invalid ${PART_NAMES[part] ?? part}: ${summary}${more}`, errors)
}

/** The validation problem for one query parameter that the schema alone cannot judge. */
export function queryParameterProblem (name: string, detail: string): ProblemError {
  return new ProblemError('validation', `Invalid ${PART_NAMES.querystring}: ${name} ${detail}.`, [{ parameter: name, detail }])
}

/** The validation problem for one top-level body field that the schema alone cannot judge. */
export function bodyFieldProblem (name: string, detail: string): ProblemError {
  return new ProblemError('validation', `Invalid ${PART_NAMES.body}: ${name} ${detail}.`, [{ pointer: `#/${name}`, detail }])
}

function locate (error: FastifySchemaValidationError, noun: 'field' | 'parameter'): LocatedAjvError {
  const segments = error.instancePath.split('/').slice(1).map(unescapePointerSegment)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { keyword: error.keyword, segments: [...segments, String(params.missingProperty)], detail: 'is required' }
    case 'additionalProperties':
      return { keyword: error.keyword, segments: [...segments, String(params.additionalProperty)], detail: `is not a known ${noun}` }
    case 'pattern':
      return { keyword: error.keyword, segments, detail: PATTERN_MEANINGS[String(params.pattern)] ?? error.message ?? 'is invalid' }
    case 'enum':
      return { keyword: error.keyword, segments, detail: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` }
    default:
      return { keyword: error.keyword, segments, detail: error.message ?? 'is invalid' }
  }
}

/**
 * One line for each location a client must fix. A value of the wrong type is
 * reported only as such, not also by the checks that assume the right type;
 * a value that fits no branch of an `anyOf` (a nullable string, say) is
 * reported once, not once per branch.
 */
function collapseAlternatives (errors: LocatedAjvError[]): Located[] {
  const byLocation = new Map<string, LocatedAjvError[]>()
  for (const error of errors) {
    const key = error.segments.join('/')
    byLocation.set(key, [...(byLocation.get(key) ?? []), error])
  }
  return [...byLocation.values()].flatMap((group) => {
    const typeErrors = group.filter((error) => error.keyword === 'type')
    const others = group.filter((error) => error.keyword !== 'type' && error.keyword !== 'anyOf')
    const alternative = group.find((error) => error.keyword === 'anyOf')
    if (alternative === undefined) return typeErrors.length > 0 ? typeErrors : others
    if (others.length > 0) return others
    const types = typeErrors.map((error) => error.detail.replace(/^must be /, ''))
    return [{ segments: alternative.segments, detail: `must be ${types.join(' or ')}` }]
  })
}

function unescapePointerSegment (segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~')
}

function escapePointerSegment (segment: string): string {
  // A member name can hold an unpaired surrogate, which encodeURIComponent
  // refuses: it is named with U+FFFD in its place.
  return segment.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replaceAll('~', '~0').replaceAll('/', '~1')
}
