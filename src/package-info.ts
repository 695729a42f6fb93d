import { readFileSync } from 'node:fs'
import { PACKAGE_JSON } from './project-files.js'

const packageJson = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }

/** The version of this API, from package.json. */
export const packageVersion = packageJson.version
