import slugify from '@sindresorhus/slugify'
import { SLUG_MAX_LENGTH } from '../../schemas/project.js'

// Room for a suffix (`-2` ... `-999999`) when the slug is taken.
const SUFFIX_ROOM = 7
// A name with nothing to transliterate (all punctuation, or a script the
// transliterator does not know) still gets a slug.
const FALLBACK = 'project'

/**
 * The slug a project's name gives: transliterated to lowercase ASCII words
 * joined by hyphens ("Café déjà vu!" becomes `cafe-deja-vu`), short enough
 * to take a `-N` suffix and still fit.
 */
export function slugFromName (name: string): string {
  const slug = slugify(name, { decamelize: false }).slice(0, SLUG_MAX_LENGTH - SUFFIX_ROOM).replace(/-+$/, '')
  return slug === '' ? FALLBACK : slug
}
