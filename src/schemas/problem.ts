import { Type, type Static } from '@sinclair/typebox'
import { Ref } from './type-helpers.js'

export const ProblemFieldError = Type.Object({
  detail: Type.String({ description: 'What is wrong with this field or parameter.' }),
  pointer: Type.Optional(Type.String({ description: 'JSON Pointer (as a URI fragment) to the offending body member, e.g. `#/title`.' })),
  parameter: Type.Optional(Type.String({ description: 'Name of the offending query or path parameter, e.g. `limit`.' }))
}, { $id: 'ProblemFieldError', title: 'ProblemFieldError', additionalProperties: false })
export type ProblemFieldError = Static<typeof ProblemFieldError>

/** RFC 9457 problem details, the body of every 4xx and 5xx response. */
export const Problem = Type.Object({
  type: Type.String({ format: 'uri', description: 'Identifies the kind of problem.' }),
  title: Type.String({ description: 'Short summary of the kind of problem.' }),
  status: Type.Integer({ minimum: 400, maximum: 599, description: 'The HTTP status code.' }),
  detail: Type.String({ description: 'What went wrong with this request.' }),
  instance: Type.String({ description: 'The request path this problem occurred on.' }),
  errors: Type.Optional(Type.Array(Ref(ProblemFieldError), { description: 'Each invalid field or parameter (validation problems only).' }))
}, { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details.' })
export type Problem = Static<typeof Problem>
