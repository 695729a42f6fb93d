/** One page of a list, how many items match over all pages, and whether any come after this page. */
export interface Page<T> {
  items: T[]
  total: number
  hasMore: boolean
}

/** A page of a list ordered by a unique text key (a slug, a username): from an offset, or just after a key. */
export interface PageRequest {
  limit: number
  offset: number
  after?: string | undefined
}
