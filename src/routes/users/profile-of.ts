import type { StoredUser } from '../../db/user-repository.js'
import type { Profile } from '../../schemas/user.js'

/** What every signed-in user may see of a user. */
export function profileOf ({ username, display_name: displayName, bio, avatar_url: avatarUrl }: StoredUser): Profile {
  return { username, display_name: displayName, bio, avatar_url: avatarUrl }
}
