// Characters some text may not hold, as schema patterns, and what each
// pattern means in words for the validation problem that names the field.

/**
 * No text the API stores or looks up may hold a NUL: PostgreSQL's text cannot,
 * and SQLite reads some text (search patterns, the title length check) as C
 * strings, which end at one.
 */
export const NO_NUL = '^[^\\u0000]*$'
/** Text is stored as UTF-8, which has no encoding for half of a surrogate pair. */
export const NO_LONE_SURROGATE = '^[^\\ud800-\\udfff]*$'
export const NO_NUL_OR_LONE_SURROGATE = '^[^\\u0000\\ud800-\\udfff]*$'

export const PATTERN_MEANINGS: Record<string, string> = {
  [NO_NUL]: 'must not contain NUL (U+0000)',
  [NO_LONE_SURROGATE]: 'must not contain an unpaired surrogate (it has no UTF-8 encoding)',
  [NO_NUL_OR_LONE_SURROGATE]: 'must not contain NUL (U+0000) or an unpaired surrogate'
}
