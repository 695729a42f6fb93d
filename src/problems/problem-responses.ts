import type { TUnsafe } from '@sinclair/typebox'
import { Problem } from '../schemas/problem.js'
import { Ref } from '../schemas/type-helpers.js'
import { PROBLEM_CONTENT_TYPE } from './problem-reply.js'
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js'

// Any route can fail unexpectedly, meet a database fault, be turned away
// under load, or arrive while the server shuts down.
const ALWAYS_POSSIBLE: ProblemKind[] = ['internal-error', 'storage-unavailable', 'overloaded', 'shutting-down']

/**
 * Route response schemas for the problems a route can answer with, served
 * as application/problem+json and documented as such in OpenAPI.
 */
export function problemResponses (...kinds: ProblemKind[]) {
  const responses: Record<number, { description: string, content: Record<string, { schema: TUnsafe<Problem> }> }> = {}
  for (const kind of [...kinds, ...ALWAYS_POSSIBLE]) {
    const { status, title } = PROBLEM_TYPES[kind]
    const description = responses[status] === undefined ? title : `${responses[status].description}, or ${title.toLowerCase()}`
    responses[status] = { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: Ref(Problem) } } }
  }
  return responses
}
