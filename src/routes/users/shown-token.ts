import { isoTimestamp } from '../../db/iso-timestamp.js'
import type { StoredPersonalToken } from '../../db/token-repository.js'
import type { PersonalToken } from '../../schemas/token.js'

/** What the API shows of a personal access token: never the token itself, which is not stored. */
export function shownToken (token: StoredPersonalToken): PersonalToken {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    created_at: isoTimestamp(token.createdAt),
    expires_at: token.expiresAt === null ? null : isoTimestamp(token.expiresAt)
  }
}
