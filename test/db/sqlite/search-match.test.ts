import t from 'tap'
import BetterSqlite3 from 'better-sqlite3'
import { searchMatchExpression, TRIGRAM_LENGTH } from '../../../src/db/sqlite/search-match.js'

t.test('the trigram length is 3', async (t) => {
  t.equal(TRIGRAM_LENGTH, 3)
})

t.test('a term of exactly 3 characters is its one trigram', async (t) => {
  t.equal(searchMatchExpression('abc'), '"abc"')
})

t.test('a term gives each of its distinct trigrams once, in order, joined by AND', async (t) => {
  t.equal(searchMatchExpression('abcd'), '"abc" AND "bcd"')
  t.equal(searchMatchExpression('abcde'), '"abc" AND "bcd" AND "cde"')
  t.equal(searchMatchExpression('abcdefghij'), '"abc" AND "bcd" AND "cde" AND "def" AND "efg" AND "fgh" AND "ghi" AND "hij"', '8 trigrams: all of them')
  t.equal(searchMatchExpression('aaaaaa'), '"aaa"', 'a repeated trigram is asked for once')
})

t.test('a term with more than 8 trigrams gives 8 spread evenly, from the first to the last', async (t) => {
  t.equal(searchMatchExpression('abcdefghijk'), '"abc" AND "bcd" AND "cde" AND "def" AND "fgh" AND "ghi" AND "hij" AND "ijk"')
  t.equal(searchMatchExpression('budget report'), '"bud" AND "udg" AND "get" AND "et " AND " re" AND "rep" AND "por" AND "ort"')
  const long = 'x'.repeat(10) + 'the quick brown fox jumps over the lazy dog'.repeat(40)
  t.equal(searchMatchExpression(long).split(' AND ').length, 8)
})

t.test('case is kept, the index folds it', async (t) => {
  t.equal(searchMatchExpression('MiLk'), '"MiL" AND "iLk"')
})

t.test('double quotes are doubled inside the quoted trigram', async (t) => {
  t.equal(searchMatchExpression('"a"'), '"""a"""')
  t.equal(searchMatchExpression('say "hi" now'), '"say" AND "ay " AND " ""h" AND """hi" AND "hi""" AND "i"" " AND " no" AND "now"')
})

t.test('FTS5 operators and special characters are quoted, never interpreted', async (t) => {
  t.equal(searchMatchExpression('a OR b'), '"a O" AND " OR" AND "OR " AND "R b"')
  t.equal(searchMatchExpression('*:^'), '"*:^"')
})

t.test('characters outside the BMP count as one character each', async (t) => {
  t.equal(searchMatchExpression('🎉🎉🎉'), '"🎉🎉🎉"', '3 emoji are one trigram, though 6 UTF-16 units')
  t.equal(searchMatchExpression('a😀b😀c'), '"a😀b" AND "😀b😀" AND "b😀c"')
  t.equal(searchMatchExpression('café 🎉'), '"caf" AND "afé" AND "fé " AND "é 🎉"')
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
