import { fileTypeFromBuffer } from 'file-type'

const BINARY = 'application/octet-stream'

/**
 * Byte order marks and the encoding each announces. Without one, text must be UTF-8:
 * other encodings cannot be told from binary data reliably.
 */
const BOMS = [
  { bytes: [0xEF, 0xBB, 0xBF], charset: 'utf-8' },
  { bytes: [0xFE, 0xFF], charset: 'utf-16be' },
  { bytes: [0xFF, 0xFE], charset: 'utf-16le' }
]

/**
 * An SVG document: `<svg` (perhaps namespace-prefixed) as the root element, after whitespace,
 * processing instructions (the XML declaration), comments and a doctype (perhaps with an internal subset).
 * Each prolog item can match in one way only (no lazy `.*?`), so a hostile head cannot make it backtrack.
 */
const SVG = /^(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!doctype[^>[]*(?:\[[^\]]*\][^>]*)?>)*<(?:[\w.-]+:)?svg(?:[\s/>]|$)/i

/**
 * The start of an HTML document, after the WHATWG MIME Sniffing standard's HTML patterns
 * (https://mimesniff.spec.whatwg.org/#identifying-a-resource-with-an-unknown-mime-type),
 * a little more liberal in what may end a tag name: calling text HTML only makes it handled more carefully.
 */
const HTML = /^\s*(?:<!--|<(?:!doctype\s+html|html|head|body|script|iframe|style|title|h1|div|font|table|a|b|br|p)(?:[\s/>]|$))/i

/** Control characters that do not occur in text (everything but tab, line feed, form feed and carriage return). */
const CONTROL = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]/

/**
 * The media type a stored file is served with, told from its first bytes (`head`, up to the 4100
 * `file-type` reads): a binary format `file-type` knows, else SVG, HTML, plain text or `application/octet-stream`.
 * Never the type the client declared: that is whatever it wants it to be, and `<html><script>…`
 * uploaded as `image/png` must be known for the page it is.
 */
export async function sniffedType (head: Buffer): Promise<string> {
  if (head.length === 0) return BINARY
  const detected = await fileTypeFromBuffer(head)
  // file-type calls every document starting `<?xml ` application/xml, SVG among them, and takes the UTF-16LE
  // byte order mark FF FE for the sync word of an MPEG audio frame: such heads are looked at as text instead
  const misread = detected?.mime === 'application/xml' || (detected?.mime === 'audio/mpeg' && head[0] === 0xFF && head[1] === 0xFE)
  if (detected !== undefined && !misread) return detected.mime
  return textType(head)
}

/** The type of a head `file-type` does not know: markup, plain text, or binary data after all. */
function textType (head: Buffer): string {
  const charset = BOMS.find(({ bytes }) => bytes.every((byte, i) => head[i] === byte))?.charset ?? 'utf-8'
  const { text, valid } = decoded(head, charset)
  if (SVG.test(text)) return 'image/svg+xml'
  if (HTML.test(text)) return `text/html; charset=${charset}`
  if (valid && !CONTROL.test(text)) return `text/plain; charset=${charset}`
  return BINARY
}

/**
 * `head` as text (its BOM dropped), and whether it is valid in `charset`. A sequence cut by the end of
 * the head is left out rather than called invalid (`stream: true`). Invalid bytes still decode, as U+FFFD:
 * markup with a stray byte is still markup to a browser.
 */
function decoded (head: Buffer, charset: string): { text: string, valid: boolean } {
  try {
    return { text: new TextDecoder(charset, { fatal: true }).decode(head, { stream: true }), valid: true }
  } catch {
    return { text: new TextDecoder(charset).decode(head, { stream: true }), valid: false }
  }
}
