/** The trigram index only helps with search terms at least this many characters long. */
export const TRIGRAM_LENGTH = 3

/**
 * An FTS5 query for the trigram index (migrations/0002) matching every task
 * whose title or description can contain `q`: the tasks holding its first,
 * middle and last trigrams. Intersecting costs in proportion to how many
 * tasks hold each trigram, so three spread over the term narrow almost as
 * well as all of them for a fraction of the work. It may match more than the
 * term (the trigrams may be apart), never less, so the exact substring test
 * runs on what it finds.
 */
export function searchMatchExpression (q: string): string {
  const characters = [...q]
  const last = characters.length - TRIGRAM_LENGTH
  const starts = new Set([0, Math.floor(last / 2), last])
  return [...starts]
    .map((start) => characters.slice(start, start + TRIGRAM_LENGTH).join(''))
    .map((trigram) => `"${trigram.replaceAll('"', '""')}"`)
    .join(' AND ')
}
