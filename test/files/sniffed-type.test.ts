import { deflateRawSync } from 'node:zlib'
import t from 'tap'
import { sniffedType } from '../../src/files/sniffed-type.js'

const ascii = (text: string) => Buffer.from(text, 'latin1')
const utf8 = (text: string) => Buffer.from(text, 'utf8')
const BOM = Buffer.from([0xEF, 0xBB, 0xBF])
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xFF, 0xFE]), Buffer.from(text, 'utf16le')])
const utf16be = (text: string) => Buffer.concat([Buffer.from([0xFE, 0xFF]), Buffer.from(text, 'utf16le').swap16()])

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

/** A JPEG's start: SOI, then a JFIF APP0 segment. */
const JPEG = Buffer.concat([Buffer.from([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]), ascii('JFIF\0'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xDB])])

/** A 1×1 GIF89a: header, screen descriptor, two-colour table, image, trailer. */
const GIF = Buffer.concat([ascii('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B])])

/** A WebP's RIFF header and the start of its VP8L chunk. */
const WEBP = Buffer.concat([ascii('RIFF'), Buffer.from([26, 0, 0, 0]), ascii('WEBPVP8L'), Buffer.from([13, 0, 0, 0, 0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0x00])])

const PDF = ascii('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n')

/** A ZIP archive with one deflated file, `notes.txt`. */
function zip (): Buffer {
  const name = ascii('notes.txt')
  const data = deflateRawSync(ascii('hello'))
  const header = Buffer.alloc(30)
  header.writeUInt32LE(0x04034B50, 0) // local file header signature
  header.writeUInt16LE(20, 4) // version needed
  header.writeUInt16LE(8, 8) // deflate
  header.writeUInt32LE(0x3610A686, 14) // CRC-32 of "hello"
  header.writeUInt32LE(data.length, 18)
  header.writeUInt32LE(5, 22)
  header.writeUInt16LE(name.length, 26)
  return Buffer.concat([header, name, data])
}

const SVG_BODY = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>'

t.test('an empty head is application/octet-stream', async (t) => {
  t.equal(await sniffedType(Buffer.alloc(0)), 'application/octet-stream')
})

t.test('binary formats are told by file-type from their signatures', async (t) => {
  t.equal(await sniffedType(PNG), 'image/png')
  t.equal(await sniffedType(JPEG), 'image/jpeg')
  t.equal(await sniffedType(GIF), 'image/gif')
  t.equal(await sniffedType(WEBP), 'image/webp')
  t.equal(await sniffedType(PDF), 'application/pdf')
  t.equal(await sniffedType(zip()), 'application/zip')
})

t.test('a head cut short of the whole file is still told (the caller keeps the first bytes only)', async (t) => {
  t.equal(await sniffedType(PNG.subarray(0, 16)), 'image/png')
  t.equal(await sniffedType(Buffer.concat([PDF, Buffer.alloc(10_000, 'x')]).subarray(0, 4100)), 'application/pdf')
})

t.test('bytes of an HTML page are text/html, whatever type the client declared (here image/png)', async (t) => {
  t.equal(await sniffedType(ascii('<html><script>alert(1)</script>')), 'text/html; charset=utf-8')
})

t.test('every WHATWG HTML pattern is text/html, in any case, after a BOM and whitespace', async (t) => {
  const starts = ['<!DOCTYPE html>', '<!doctype HTML>', '<html>', '<head>', '<body>', '<script>', '<iframe src=x>', '<style>', '<title>',
    '<h1>', '<div>', '<font>', '<table>', '<a href=x>', '<b>', '<br/>', '<p>', '<!-- comment -->', '<!--x', '<ScRiPt src=//evil>', '<HTML lang=en>']
  for (const start of starts) {
    t.equal(await sniffedType(ascii(start + 'hello')), 'text/html; charset=utf-8', start)
    t.equal(await sniffedType(Buffer.concat([BOM, ascii(' \t\r\n\f' + start)])), 'text/html; charset=utf-8', `${start} after a BOM and whitespace`)
  }
  t.equal(await sniffedType(ascii('<p')), 'text/html; charset=utf-8', 'a tag name cut by the end of the head')
  t.equal(await sniffedType(ascii('<body\n onload=alert(1)>')), 'text/html; charset=utf-8', 'a tag name ended by a line break')
})

t.test('markup that is not one of the HTML patterns is not HTML', async (t) => {
  for (const text of ['<abbr>x</abbr>', '<bad>', '<htmlx>', '<!doctype foo>', 'hello <script>alert(1)</script>', '< html>', '<?php echo 1 ?>']) {
    t.equal(await sniffedType(ascii(text)), 'text/plain; charset=utf-8', text)
  }
})

t.test('HTML with a byte that is not UTF-8 is still HTML: a browser would still run it', async (t) => {
  t.equal(await sniffedType(Buffer.concat([ascii('<html><body>caf'), Buffer.from([0xE9]), ascii('<script>alert(1)</script>')])), 'text/html; charset=utf-8')
})

t.test('an SVG is image/svg+xml, with or without an XML declaration (which file-type calls application/xml)', async (t) => {
  t.equal(await sniffedType(ascii(SVG_BODY)), 'image/svg+xml')
  t.equal(await sniffedType(ascii('<?xml version="1.0" encoding="UTF-8"?>\n' + SVG_BODY)), 'image/svg+xml')
  t.equal(await sniffedType(Buffer.concat([BOM, ascii('<?xml version="1.0"?>' + SVG_BODY)])), 'image/svg+xml', 'after a BOM')
  t.equal(await sniffedType(ascii('\n  <SVG>')), 'image/svg+xml', 'in any case, after whitespace')
  t.equal(await sniffedType(ascii('<svg/>')), 'image/svg+xml')
  t.equal(await sniffedType(ascii('<svg')), 'image/svg+xml', 'cut by the end of the head')
  t.equal(await sniffedType(ascii('<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>')), 'image/svg+xml', 'namespace-prefixed')
})

t.test('an SVG is image/svg+xml after a prolog of declarations, processing instructions, comments and a doctype', async (t) => {
  const prolog = [
    '<?xml version="1.0" standalone="no"?>\n',
    '<?xml-stylesheet href="a.css" type="text/css"?>\n',
    '<!-- Generator: Adobe Illustrator 27.0.0, <svg> in a comment - - -->\n',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n  <!ENTITY ns "http://www.w3.org/2000/svg">\n]>\n',
    '<!-- ? > and ?> -->\n'
  ].join('')
  t.equal(await sniffedType(ascii(prolog + SVG_BODY)), 'image/svg+xml')
  t.equal(await sniffedType(ascii('<!-- a comment first -->' + SVG_BODY)), 'image/svg+xml', 'a comment first is SVG, not HTML')
})

t.test('an SVG in UTF-16 (which file-type also calls application/xml) is image/svg+xml', async (t) => {
  t.equal(await sniffedType(utf16le('<?xml version="1.0" encoding="UTF-16"?>' + SVG_BODY)), 'image/svg+xml')
  t.equal(await sniffedType(utf16be('<?xml version="1.0" encoding="UTF-16"?>' + SVG_BODY)), 'image/svg+xml')
  t.equal(await sniffedType(utf16le(SVG_BODY)), 'image/svg+xml')
})

t.test('XML that is not SVG, and text that merely holds <svg, are text/plain', async (t) => {
  t.equal(await sniffedType(ascii('<?xml version="1.0"?><note><svg/></note>')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('Draw it with <svg> and <path>.')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('<svgfont>')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('<?xml version="1.0"?><!-- never closed <svg>')), 'text/plain; charset=utf-8')
})

t.test('valid UTF-8 with no controls but tab, LF, CR and FF is text/plain', async (t) => {
  t.equal(await sniffedType(ascii('hello, world\n')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('a\tb\r\nc\fd')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(utf8('Résumé 履歴書 🎉\n')), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(Buffer.concat([BOM, utf8('with a BOM')])), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(ascii('id,name\n1,"a"\n')), 'text/plain; charset=utf-8', 'CSV')
  t.equal(await sniffedType(ascii('{"json": true}')), 'text/plain; charset=utf-8', 'JSON')
})

t.test('a multi-byte character cut by the end of the head is still text', async (t) => {
  const text = utf8('x'.repeat(4099) + '€') // € is three bytes: the head ends inside it
  t.equal(await sniffedType(text.subarray(0, 4100)), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(text.subarray(0, 4101)), 'text/plain; charset=utf-8')
  t.equal(await sniffedType(utf8('🎉🎉').subarray(0, 5)), 'text/plain; charset=utf-8', 'a four-byte one')
})

t.test('text with a BOM for UTF-16 is text/plain in that charset', async (t) => {
  t.equal(await sniffedType(utf16le('hello, 世界\n')), 'text/plain; charset=utf-16le')
  t.equal(await sniffedType(utf16be('hello, 世界\n')), 'text/plain; charset=utf-16be')
  t.equal(await sniffedType(utf16le('<html>')), 'text/html; charset=utf-16le')
})

t.test('text with other controls, or bytes that are not UTF-8, is application/octet-stream', async (t) => {
  for (const [bytes, why] of [
    [ascii('abc\0def'), 'NUL'],
    [ascii('abc\x01def'), 'SOH'],
    [ascii('\x1B[31mred\x1B[0m'), 'ESC'],
    [ascii('abc\x7Fdef'), 'DEL'],
    [utf8('abc\u0085def'), 'a C1 control'],
    [ascii('caf\xE9 au lait'), 'Latin-1'],
    [Buffer.from([0x61, 0xC0, 0x80, 0x62]), 'an overlong NUL'],
    [Buffer.from([0x61, 0xED, 0xA0, 0x80, 0x62]), 'an encoded surrogate'],
    [Buffer.from([0x61, 0x80, 0x62]), 'a stray continuation byte'],
    [Buffer.from('hello', 'utf16le'), 'UTF-16 without a BOM'],
    [Buffer.from([0xFF, 0xFE, 0x00, 0xD8, 0x61, 0x00]), 'UTF-16 with a lone surrogate'],
    [Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37 + 11) % 256)), 'arbitrary bytes']
  ] as const) {
    t.equal(await sniffedType(bytes), 'application/octet-stream', why)
  }
})

t.test('MPEG audio is still told by its frame sync, which the UTF-16LE byte order mark only resembles', async (t) => {
  t.equal(await sniffedType(Buffer.concat([Buffer.from([0xFF, 0xFB, 0x90, 0x64]), Buffer.alloc(413)])), 'audio/mpeg')
  t.equal(await sniffedType(Buffer.from([0xFF, 0xFE, 0x01, 0x00, 0x02, 0x00])), 'application/octet-stream', 'and FF FE before what is not text is neither')
})

t.test('a text format file-type knows keeps its type', async (t) => {
  t.equal(await sniffedType(ascii('WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n')), 'text/vtt')
})

t.test('hostile heads are sniffed in linear time', async (t) => {
  const heads = ['<??>'.repeat(1025), '<!---->'.repeat(585), '<!--'.repeat(1025), '<?'.repeat(2050), '<!doctype ['.repeat(372), ' '.repeat(4100), '<a:'.repeat(1366)]
  const start = performance.now()
  for (const head of heads) await sniffedType(ascii(head))
  t.ok(performance.now() - start < 1000, 'in well under a second')
})
