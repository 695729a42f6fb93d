import { fileURLToPath } from 'node:url'

// This module sits at the top of src/ (and, compiled, of dist/), as does the
// bundled server, dist/server.js: from any of them the project is one level up.
const PROJECT = new URL('..', import.meta.url)

/** package.json, for the API's version. */
export const PACKAGE_JSON = fileURLToPath(new URL('package.json', PROJECT))

/** The SQL migrations drizzle-kit generates for each database, applied on start. */
export const SQLITE_MIGRATIONS_FOLDER = fileURLToPath(new URL('migrations/sqlite', PROJECT))
export const POSTGRES_MIGRATIONS_FOLDER = fileURLToPath(new URL('migrations/postgres', PROJECT))

/** The live page's files, served at /live. */
export const LIVE_PAGE_FOLDER = fileURLToPath(new URL('public/live', PROJECT))

/** The web pages' templates (Eta), rendered on the server. */
export const VIEWS_FOLDER = fileURLToPath(new URL('views', PROJECT))

/** The web pages' style sheet and other static files, served under content-hashed names. */
export const WEB_ASSETS_FOLDER = fileURLToPath(new URL('public/web', PROJECT))
