import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox'
import { Nullable } from './type-helpers.js'

// Room for the longest sort value a cursor can hold (a title), encoded.
const CURSOR_MAX_LENGTH = 2048

/** The paging parameters every list takes: `limit`, and `offset` or `cursor`. */
export const PagingParameters = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size.' }),
  offset: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'How many matching items to skip. Not with `cursor`.' }),
  cursor: Type.Optional(Type.String({
    minLength: 1,
    maxLength: CURSOR_MAX_LENGTH,
    pattern: '^[A-Za-z0-9_.-]+$',
    description: 'Start just after the last item of a previous page: its `next_cursor`. Stays correct while items change between pages. Only with the same filters and sort it came from; not with `offset`.'
  }))
}

/** One page of a list: its items, how many match over all pages, and how to get the next. */
export function Page<T extends TSchema> (item: T, options: SchemaOptions & { $id: string }) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ minimum: 0, description: 'How many items match, over all pages.' }),
    limit: Type.Integer({ minimum: 1 }),
    offset: Type.Integer({ minimum: 0 }),
    has_more: Type.Boolean({ description: 'Whether items remain after this page.' }),
    next_cursor: Nullable(Type.String(), { description: 'Pass as `cursor` for the next page; null on the last page. The `Link` header has the whole URL.' })
  }, { title: options.$id, additionalProperties: false, ...options })
}

/** The query of a list that only pages (projects, members, users). */
export const PageQuery = Type.Object(PagingParameters, { additionalProperties: false })
export type PageQuery = Static<typeof PageQuery>
