/** The trigram index only helps with search terms at least this many characters long. */
export const TRIGRAM_LENGTH = 3

// Each trigram asked for costs a walk over the tasks holding it, while each
// false candidate costs a row read; a handful spread over the term balances
// the two even for terms whose every trigram is common.
const MAX_TRIGRAMS = 8

/**
 * An FTS5 query for the trigram index (migrations/sqlite/0002) matching every task
 * whose title or description can contain `q`: the tasks holding all of its
 * distinct trigrams, or 8 spread evenly over a longer term. It may match more
 * than the term (the trigrams may be apart), never less, so the exact
 * substring test runs on what it finds.
 */
export function searchMatchExpression (q: string): string {
  const characters = [...q]
  const trigrams = [...new Set(characters.slice(0, characters.length - TRIGRAM_LENGTH + 1)
    .map((_, start) => characters.slice(start, start + TRIGRAM_LENGTH).join('')))]
  const sample = trigrams.length <= MAX_TRIGRAMS
    ? trigrams
    : Array.from({ length: MAX_TRIGRAMS }, (_, index) => trigrams[Math.round(index * (trigrams.length - 1) / (MAX_TRIGRAMS - 1))] as string)
  return sample.map((trigram) => `"${trigram.replaceAll('"', '""')}"`).join(' AND ')
}
