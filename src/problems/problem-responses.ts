import type { TSchema, TUnsafe } from '@sinclair/typebox'
import { Problem } from '../schemas/problem.js'
import { Ref } from '../schemas/type-helpers.js'
import { PROBLEM_CONTENT_TYPE } from './problem-reply.js'
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js'

// Any route can fail unexpectedly, meet a database fault, be turned away
// under load, or arrive while the server shuts down.
const ALWAYS_POSSIBLE: ProblemKind[] = ['internal-error', 'storage-unavailable', 'overloaded', 'shutting-down']

interface ProblemResponse {
  description: string
  headers?: Record<string, TSchema>
  content: Record<string, { schema: TUnsafe<Problem> }>
}

/**
 * Route response schemas for the problems a route can answer with, served
 * as application/problem+json and documented as such in OpenAPI.
 */
export function problemResponses (...kinds: ProblemKind[]): Record<number, ProblemResponse> {
  return withProblems({}, [...kinds, ...ALWAYS_POSSIBLE]) as Record<number, ProblemResponse>
}

/**
 * A route's responses with more problems added: a status the route already
 * answers with gets the new kinds in its description, and `headers`.
 */
export function withProblems (responses: Record<string, unknown>, kinds: ProblemKind[], headers: Record<string, TSchema> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...responses }
  for (const kind of kinds) {
    const { status, title } = PROBLEM_TYPES[kind]
    const existing = merged[status] as ProblemResponse | undefined
    const description = existing === undefined
      ? title
      : existing.description.split(', or ').some((known) => known.toLowerCase() === title.toLowerCase()) ? existing.description : `${existing.description}, or ${title.toLowerCase()}`
    const statusHeaders = { ...existing?.headers, ...headers }
    merged[status] = {
      description,
      ...(Object.keys(statusHeaders).length > 0 ? { headers: statusHeaders } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: Ref(Problem) } }
    }
  }
  return merged
}
