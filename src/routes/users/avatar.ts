import type { UserRepository } from '../../db/user-repository.js'

/** The largest picture a user may have (2 MiB). */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024
/** The most pixels a picture may have on either side. */
export const AVATAR_MAX_SIDE = 4096
/** The types a picture may be, told from its bytes. */
export const AVATAR_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif'])

/** What setting or removing a picture answers for a user who exists, as every signed-in user does (users are never deleted). */
export type AvatarChange = Exclude<Awaited<ReturnType<UserRepository['setAvatar']>>, 'not-found'>
