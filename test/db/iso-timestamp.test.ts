import t from 'tap'
import { isoTimestamp, timestampOf } from '../../src/db/iso-timestamp.js'
import { seededRandom } from '../../src/db/seeded-random.js'

const FIRST = Date.parse('0000-01-01T00:00:00.000Z')
const LAST = Date.parse('9999-12-31T23:59:59.999Z')

/** The values among `values` where isoTimestamp and Date disagree, with both answers. */
function disagreements (values: number[]) {
  return values
    .map((ms) => ({ ms, actual: isoTimestamp(ms), expected: new Date(ms).toISOString() }))
    .filter(({ actual, expected }) => actual !== expected)
}

t.test('the range ends and the epoch format exactly as Date does', async (t) => {
  t.equal(isoTimestamp(0), '1970-01-01T00:00:00.000Z')
  t.equal(isoTimestamp(-1), '1969-12-31T23:59:59.999Z')
  t.equal(isoTimestamp(1), '1970-01-01T00:00:00.001Z')
  t.equal(isoTimestamp(FIRST), '0000-01-01T00:00:00.000Z')
  t.equal(isoTimestamp(LAST), '9999-12-31T23:59:59.999Z')
  t.equal(isoTimestamp(Date.UTC(2026, 10, 21, 4, 20, 18, 83)), '2026-11-21T04:20:18.083Z')
})

t.test('leap days and the days around them, including century years', async (t) => {
  const named = [
    '2000-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2000-03-01T00:00:00.000Z',
    '1900-02-28T23:59:59.999Z', '1900-03-01T00:00:00.000Z',
    '2100-02-28T23:59:59.999Z', '2100-03-01T00:00:00.000Z',
    '2400-02-29T12:00:00.000Z', '1600-02-29T12:00:00.000Z',
    '2024-02-29T00:00:00.000Z', '2023-02-28T23:59:59.999Z', '2023-03-01T00:00:00.000Z',
    '0000-02-29T00:00:00.000Z', '0000-03-01T00:00:00.000Z', '0004-02-29T00:00:00.000Z',
    '0100-03-01T00:00:00.000Z', '0400-02-29T00:00:00.000Z', '9996-02-29T00:00:00.000Z'
  ]
  for (const iso of named) t.equal(isoTimestamp(Date.parse(iso)), iso)
})

t.test('the first and last millisecond of every month agree with Date', async (t) => {
  const values: number[] = []
  for (const year of [0, 1, 4, 99, 100, 399, 400, 1582, 1900, 1969, 1970, 1999, 2000, 2024, 2025, 2100, 9999]) {
    for (let month = 0; month < 12; month++) {
      const start = new Date(0)
      start.setUTCFullYear(year, month, 1)
      const end = new Date(0)
      end.setUTCFullYear(year, month + 1, 1)
      values.push(start.getTime(), end.getTime() - 1)
    }
  }
  t.equal(values.length, 17 * 12 * 2)
  t.same(disagreements(values), [])
})

t.test('every day of a 400-year era, at a few times of day, agrees with Date', async (t) => {
  const day = 86_400_000
  const start = Date.parse('1800-01-01T00:00:00.000Z')
  const values: number[] = []
  for (let index = 0; index < 146_097; index++) values.push(start + index * day + (index % 7) * 12_345_678 % day)
  t.same(disagreements(values), [])
})

t.test('thousands of pseudo-random instants in years 0-9999 agree with Date', async (t) => {
  const random = seededRandom(0xc0ffee)
  const values = Array.from({ length: 5000 }, () => FIRST + Math.floor(random() * (LAST - FIRST + 1)))
  t.same(disagreements(values), [])
  const near = Array.from({ length: 2000 }, () => Math.floor((random() - 0.5) * 2 * 86_400_000 * 3))
  t.same(disagreements(near), [], 'around the epoch, on both sides')
})

t.test('timestampOf reads RFC 3339 date-times, leap seconds as the next instant', async (t) => {
  t.equal(timestampOf('2020-01-01T00:00:00.123Z'), Date.UTC(2020, 0, 1, 0, 0, 0, 123))
  t.equal(timestampOf('2020-01-01T01:00:00+01:00'), Date.UTC(2020, 0, 1))
  t.equal(timestampOf('2016-12-31T23:59:60Z'), Date.UTC(2017, 0, 1))
  t.equal(timestampOf('2016-12-31t23:59:60.5z'), Date.UTC(2017, 0, 1, 0, 0, 0, 500))
  t.equal(timestampOf('2017-01-01T00:59:60+01:00'), Date.UTC(2017, 0, 1))
})
