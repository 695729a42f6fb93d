/** The entity tags of an If-Match or If-None-Match header, or `*`; undefined when there is no header. */
export function listedTags (header: string | undefined): { weak: boolean, tag: string }[] | '*' | undefined {
  if (header === undefined) return undefined
  if (header.trim() === '*') return '*'
  return [...header.matchAll(/(W\/)?("[^"]*")/g)].map(([, weak, tag]) => ({ weak: weak !== undefined, tag: tag as string }))
}

/** Whether an If-None-Match header lists `etag`, or is `*` (weak comparison, RFC 9110 13.1.2). */
export function noneMatch (header: string | undefined, etag: string): boolean {
  const tags = listedTags(header)
  return tags !== undefined && (tags === '*' || tags.some(({ tag }) => tag === etag))
}
