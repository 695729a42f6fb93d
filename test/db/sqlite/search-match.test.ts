import t from 'tap'
import BetterSqlite3 from 'better-sqlite3'
import { searchMatchExpression, TRIGRAM_LENGTH } from '../../../src/db/sqlite/search-match.js'

t.test('the trigram length is 3', async (t) => {
  t.equal(TRIGRAM_LENGTH, 3)
})

t.test('a term of exactly 3 characters is its one trigram', async (t) => {
  t.equal(searchMatchExpression('abc'), '"abc"')
})

t.test('a term of 4 characters gives its two trigrams, the middle one being the first', async (t) => {
  t.equal(searchMatchExpression('abcd'), '"abc" AND "bcd"')
})

t.test('a longer term gives its first, middle and last trigrams, joined by AND', async (t) => {
  t.equal(searchMatchExpression('abcde'), '"abc" AND "bcd" AND "cde"')
  t.equal(searchMatchExpression('budget report'), '"bud" AND "t r" AND "ort"')
  t.equal(searchMatchExpression('abcdefghij'), '"abc" AND "def" AND "hij"')
})

t.test('case is kept, the index folds it', async (t) => {
  t.equal(searchMatchExpression('MiLk'), '"MiL" AND "iLk"')
})

t.test('double quotes are doubled inside the quoted trigram', async (t) => {
  t.equal(searchMatchExpression('"a"'), '"""a"""')
  t.equal(searchMatchExpression('say "hi" now'), '"say" AND """hi" AND "now"')
})

t.test('FTS5 operators and special characters are quoted, never interpreted', async (t) => {
  t.equal(searchMatchExpression('a OR b'), '"a O" AND " OR" AND "R b"')
  t.equal(searchMatchExpression('*:^'), '"*:^"')
})

t.test('characters outside the BMP count as one character each', async (t) => {
  t.equal(searchMatchExpression('🎉🎉🎉'), '"🎉🎉🎉"', '3 emoji are one trigram, though 6 UTF-16 units')
  t.equal(searchMatchExpression('a😀b😀c'), '"a😀b" AND "😀b😀" AND "b😀c"')
  t.equal(searchMatchExpression('café 🎉'), '"caf" AND "afé" AND "é 🎉"')
})

t.test('SQLite accepts each expression and finds through it the rows holding the term', async (t) => {
  const db = new BetterSqlite3(':memory:')
  t.teardown(() => db.close())
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'trigram', detail = 'none')")
  const bodies = ['say "hi" now', 'a OR b', 'party 🎉🎉🎉 time', '*:^ operators', 'nothing here']
  const insert = db.prepare('INSERT INTO docs (rowid, body) VALUES (?, ?)')
  bodies.forEach((body, index) => insert.run(index + 1, body))
  const search = db.prepare('SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rowid').pluck()
  t.same(search.all(searchMatchExpression('"hi"')), [1])
  t.same(search.all(searchMatchExpression('SAY "HI" NOW')), [1], 'the index folds case')
  t.same(search.all(searchMatchExpression('a OR b')), [2])
  t.same(search.all(searchMatchExpression('🎉🎉🎉')), [3])
  t.same(search.all(searchMatchExpression('*:^')), [4])
  t.same(search.all(searchMatchExpression('absent')), [])
})
