const MS_PER_DAY = 86_400_000
const DAYS_PER_ERA = 146_097 // 400 Gregorian years
// Days from 0000-03-01 to 1970-01-01: eras start in March, so leap days fall last.
const EPOCH_SHIFT_DAYS = 719_468

const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'))
const THREE_DIGITS = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'))

/**
 * `new Date(ms).toISOString()` for years 0 to 9999, without making a Date:
 * a page of tasks formats three timestamps a row, and this is several times
 * faster. The civil date comes from the day count by the usual era
 * arithmetic (400-year eras of 146,097 days, years starting on March 1).
 */
export function isoTimestamp (ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY)
  const msOfDay = ms - days * MS_PER_DAY

  const shifted = days + EPOCH_SHIFT_DAYS
  const era = Math.floor(shifted / DAYS_PER_ERA)
  const dayOfEra = shifted - era * DAYS_PER_ERA
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

  const hours = Math.floor(msOfDay / 3_600_000)
  const minutes = Math.floor(msOfDay / 60_000) % 60
  const seconds = Math.floor(msOfDay / 1000) % 60
  const milliseconds = msOfDay % 1000
  const two = (value: number) => TWO_DIGITS[value] as string
  return two(Math.floor(year / 100)) + two(year % 100) + '-' + two(month) + '-' + two(day) +
    'T' + two(hours) + ':' + two(minutes) + ':' + two(seconds) + '.' + (THREE_DIGITS[milliseconds] as string) + 'Z'
}

// The seconds of an RFC 3339 date-time, when they are a leap second's 60.
const LEAP_SECOND = /^(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:)60/

/**
 * Milliseconds since the epoch of an RFC 3339 date-time (as the schema's
 * `date-time` format accepts it). Date.parse refuses a leap second (:60),
 * which is read as the instant after the 59th second, as POSIX time does.
 */
export function timestampOf (dateTime: string): number {
  if (!LEAP_SECOND.test(dateTime)) return Date.parse(dateTime)
  return Date.parse(dateTime.replace(LEAP_SECOND, '$159')) + 1000
}
