/** Whether DATABASE_URL names a PostgreSQL server (`postgres://`, `postgresql://`) rather than a SQLite file. */
export function isPostgresUrl (url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

/** DATABASE_URL as it may be shown in a log or a message: a PostgreSQL URL without its password. */
export function shownDatabaseUrl (url: string): string {
  if (!isPostgresUrl(url)) return url
  const parsed = new URL(url)
  if (parsed.password !== '') parsed.password = '***'
  return parsed.toString()
}
