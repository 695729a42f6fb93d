/**
 * The name an uploaded file is shown and offered for download under.
 *
 * Files are stored by content hash, so this name never reaches the file system;
 * it only has to be safe to show in a page and to put in a Content-Disposition header
 * (which must still be built with `content-disposition`, that quotes and encodes it).
 */

/** Longest name kept, in code points: what most file systems allow, so a download keeps it whole. */
const MAX_LENGTH = 255

/**
 * Characters dropped from a name: they are invisible, so a reader cannot tell they are there.
 * - C0, DEL and C1 controls (`\p{Cc}`): NUL and line breaks end or split a header and a log line.
 * - Lone surrogates (`\p{Cs}`): not text at all; `encodeURIComponent` throws on them.
 * - Bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): they reorder what
 *   is shown, so `invoice\u202Egpj.exe` reads as `invoiceexe.jpg`.
 * - Zero-width and invisible format characters (U+180E, U+200B, U+2060–U+2064, U+206A–U+206F, U+FEFF,
 *   U+FFF9–U+FFFB): they hide or smuggle text between visible letters.
 * The zero-width joiners U+200C and U+200D are kept: emoji sequences (👩‍💻) and Persian and Indic
 * writing need them, and they cannot move or hide text.
 */
const INVISIBLE = /[\p{Cc}\p{Cs}\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/gu

/** An extension of up to 16 characters after the last dot: kept when a long name is cut, so the file still opens. */
const EXTENSION = /\.[^.]{1,16}$/u

/**
 * `uploaded` (the file name the client sent, if any) made safe to show: its last path component,
 * without invisible characters, in NFC, with whitespace collapsed, no spaces or dots at either end
 * and at most 255 code points; `file` when nothing is left.
 */
export function displayName (uploaded: string | undefined): string {
  const name = trimSpacesAndDots((uploaded ?? '')
    .replace(/[\t\n\v\f\r]/g, ' ') // line breaks and tabs separated words: keep them apart
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .replace(/^.*[/\\]/s, '') // browsers send either separator, and a client may send a whole path
    .replace(/\s+/gu, ' '))
  return name === '' ? 'file' : capped(name)
}

/**
 * `name` without spaces and dots at either end: a name of only dots (`.`, `..`) is no name,
 * and Windows drops trailing ones on saving anyway.
 * A loop rather than `/[ .]+$/`, which takes quadratic time on a long run of dots inside a name.
 */
function trimSpacesAndDots (name: string): string {
  const trimmable = (char: string | undefined) => char === ' ' || char === '.'
  let start = 0
  let end = name.length
  while (start < end && trimmable(name[start])) start++
  while (end > start && trimmable(name[end - 1])) end--
  return name.slice(start, end)
}

/**
 * `name` cut to `MAX_LENGTH` code points (never inside a surrogate pair), keeping a short extension.
 * `name` starts with neither a space nor a dot, so the part kept before the extension is never empty.
 */
function capped (name: string): string {
  const chars = Array.from(name)
  if (chars.length <= MAX_LENGTH) return name
  const extension = EXTENSION.exec(name)?.[0] ?? ''
  const stem = chars.slice(0, MAX_LENGTH - Array.from(extension).length).join('')
  return trimSpacesAndDots(stem) + extension
}
