import t from 'tap'
import { displayName } from '../../src/files/display-name.js'

/** Characters no display name may hold: controls, lone surrogates, bidirectional controls, zero-width characters. */
const UNSAFE = /[\p{Cc}\p{Cs}\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u

t.test('an ordinary name, and names in other scripts and with emoji, are kept as they are', async (t) => {
  for (const name of ['report.pdf', 'Résumé 履歴書.pdf', 'отчёт 2024.docx', 'تقرير.txt', '🎉 party 👩‍💻.png', 'a', 'archive.tar.gz']) {
    t.equal(displayName(name), name, JSON.stringify(name))
  }
})

t.test('only the last path component is kept, whichever separator the path uses', async (t) => {
  t.equal(displayName('../../etc/passwd'), 'passwd')
  t.equal(displayName('..\\..\\x'), 'x')
  t.equal(displayName('/etc/passwd'), 'passwd')
  t.equal(displayName('C:\\Users\\a\\b.txt'), 'b.txt')
  t.equal(displayName('a/b\\c/d.txt'), 'd.txt', 'both separators mixed')
  t.equal(displayName('dir/'), 'file', 'a path to a directory names nothing')
  t.equal(displayName('a/b/..'), 'file')
})

t.test('NUL and the other controls are removed; tabs and line breaks become a space', async (t) => {
  t.equal(displayName('evil\u0000.txt'), 'evil.txt')
  t.equal(displayName('passwd\u0000.png'), 'passwd.png')
  t.equal(displayName('a\u0001b\u001Fc\u007Fd\u0080e\u0085f\u009Fg'), 'abcdefg', 'C0, DEL and C1')
  t.equal(displayName('line\r\nbreak\tand\u000Bmore\u000C.txt'), 'line break and more .txt')
  t.equal(displayName('header\r\nSet-Cookie: a=b'), 'header Set-Cookie: a=b', 'no line break is left to split a header')
  t.equal(displayName('\u0000'), 'file')
})

t.test('bidirectional controls are removed, so the right-to-left override cannot disguise an extension', async (t) => {
  t.equal(displayName('invoice\u202Egpj.exe'), 'invoicegpj.exe')
  const bidi = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']
  for (const char of bidi) {
    t.equal(displayName(`a${char}b.txt`), 'ab.txt', `U+${char.codePointAt(0)!.toString(16).toUpperCase()}`)
  }
})

t.test('zero-width and other invisible format characters are removed; the joiners emoji and scripts need are kept', async (t) => {
  for (const char of ['\u200B', '\uFEFF', '\u2060', '\u2063', '\u180E', '\u206A', '\uFFF9']) {
    t.equal(displayName(`pay${char}pal.pdf`), 'paypal.pdf', `U+${char.codePointAt(0)!.toString(16).toUpperCase()}`)
  }
  t.equal(displayName('\uFEFFnotes.txt'), 'notes.txt', 'a byte order mark')
  t.equal(displayName('👨\u200D👩\u200D👧.jpg'), '👨\u200D👩\u200D👧.jpg', 'zero-width joiner inside an emoji sequence')
  t.equal(displayName('می\u200Cخواهم.txt'), 'می\u200Cخواهم.txt', 'zero-width non-joiner in Persian')
})

t.test('lone surrogates are removed; surrogate pairs are kept', async (t) => {
  t.equal(displayName('a\uD800b\uDC00c.txt'), 'abc.txt')
  t.equal(displayName('\uD83D\uDE00.txt'), '😀.txt')
})

t.test('the name is normalised to NFC', async (t) => {
  const decomposed = 'Re\u0301sume\u0301.pdf'
  t.equal(displayName(decomposed), 'Résumé.pdf')
  t.equal(displayName(decomposed), decomposed.normalize('NFC'))
  t.equal(displayName('e\u200B\u0301.txt'), '\u00E9.txt', 'composed after what stood between is removed')
})

t.test('runs of whitespace, Unicode spaces and line separators included, become one space', async (t) => {
  t.equal(displayName('a    b\u00A0\u00A0c\u3000d\u2028e.txt'), 'a b c d e.txt')
  t.equal(displayName('a \u0000 b.txt'), 'a b.txt', 'also where a removed character stood between spaces')
})

t.test('spaces and dots are trimmed from both ends; a name of only dots and spaces is no name', async (t) => {
  t.equal(displayName('  report.pdf  '), 'report.pdf')
  t.equal(displayName('...report.pdf...'), 'report.pdf')
  t.equal(displayName(' . report.pdf . '), 'report.pdf')
  t.equal(displayName('.htaccess'), 'htaccess', 'a leading dot too: a download is not to be a hidden file')
  t.equal(displayName('a...b'), 'a...b', 'dots inside are kept')
  for (const name of ['.', '..', '...', ' . . ', '../..', '..\\..', '\u202E..']) {
    t.equal(displayName(name), 'file', JSON.stringify(name))
  }
})

t.test('nothing given, or nothing left, is `file`', async (t) => {
  t.equal(displayName(undefined), 'file')
  t.equal(displayName(''), 'file')
  t.equal(displayName('   '), 'file')
  t.equal(displayName('\u200B\u202E\uFEFF'), 'file')
  t.equal(displayName('/'), 'file')
})

t.test('a long name is cut to 255 code points, keeping its extension', async (t) => {
  const long = displayName('a'.repeat(10_000) + '.pdf')
  t.equal(long, 'a'.repeat(251) + '.pdf')
  t.equal(displayName('a'.repeat(255)), 'a'.repeat(255), 'exactly 255 is kept whole')
  t.equal(displayName('a'.repeat(256)), 'a'.repeat(255), 'without an extension, the first 255')
  t.equal(displayName('a'.repeat(300) + '.' + 'x'.repeat(16)), 'a'.repeat(238) + '.' + 'x'.repeat(16), 'an extension of 16 is kept')
  t.equal(displayName('a'.repeat(300) + '.' + 'x'.repeat(17)), ('a'.repeat(300) + '.').slice(0, 255), 'one of 17 is no extension')
  t.equal(displayName('a'.repeat(249) + ' '.repeat(10) + 'b.pdf'), 'a'.repeat(249) + ' b.pdf', 'whitespace is collapsed before counting')
  t.equal(displayName('a' + '.'.repeat(10_000) + '.pdf'), 'a.pdf', 'dots left at the cut are trimmed')
  t.equal(displayName('a'.repeat(250) + ' bcdef.pdf'), 'a'.repeat(250) + '.pdf', 'and so is a space')
})

t.test('a long name is cut by code points, never inside a surrogate pair', async (t) => {
  const emoji = displayName('😀'.repeat(300) + '.png')
  t.equal(Array.from(emoji).length, 255)
  t.equal(emoji, '😀'.repeat(251) + '.png')
  t.notMatch(emoji, /\p{Cs}/u, 'no half pair')
  const kanji = displayName('履歴書'.repeat(100))
  t.equal(kanji, '履歴書'.repeat(85))
})

t.test('a long run of dots inside a name is handled in linear time', async (t) => {
  const start = performance.now()
  t.equal(displayName('a' + '.'.repeat(200_000) + 'b'), 'a.b')
  t.equal(displayName('a' + ' .'.repeat(100_000) + 'b'), 'a.b')
  t.ok(performance.now() - start < 1000, 'in well under a second')
})

t.test('whatever a hostile name holds, the answer is non-empty, safe and at most 255 code points', async (t) => {
  const pieces = ['..', '/', '\\', '.', ' ', '\u0000', '\r\n', '\u202E', '\u200B', '\uFEFF', '\uD800', 'é', 'e\u0301', '😀', 'a', '.pdf', '\t']
  for (let i = 0; i < 2000; i++) {
    let name = ''
    const length = i % 40 === 0 ? 400 : i % 12
    for (let j = 0; j < length; j++) name += pieces[(i * 7 + j * 13 + (i >> 3) * j) % pieces.length]
    const shown = displayName(name)
    if (shown === '' || UNSAFE.test(shown) || /[/\\]/.test(shown) || /^[ .]|[ .]$/.test(shown) || /\s{2}|[^\S ]/u.test(shown) ||
        Array.from(shown).length > 255 || shown !== shown.normalize('NFC')) {
      t.fail(`unsafe answer for ${JSON.stringify(name)}: ${JSON.stringify(shown)}`)
      return
    }
  }
  t.pass('every one safe')
})
