import { Type, type Static } from '@sinclair/typebox'
import { NO_NUL, NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Page } from './page.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'

export const USER_ROLES = ['admin', 'member'] as const
export const USERNAME_PATTERN = '^[a-z0-9_-]{3,39}$'
export const EMAIL_MAX_LENGTH = 254
export const DISPLAY_NAME_MAX_LENGTH = 100
export const BIO_MAX_LENGTH = 1000
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

export const UserRole = StringEnum(USER_ROLES, {
  $id: 'UserRole',
  title: 'UserRole',
  description: 'An `admin` sees every task and project and may hold the `users:admin` scope; a `member` sees what is theirs or shared with them.'
})
export type UserRole = Static<typeof UserRole>

export const Username = Type.String({
  pattern: USERNAME_PATTERN,
  description: '3-39 lowercase letters, digits, `_` or `-`; unique, and compared without regard to case.',
  examples: ['ada']
})
const Email = Type.String({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'An email address, unique among users (without regard to case).' })
const DisplayName = Type.String({
  minLength: 1,
  maxLength: DISPLAY_NAME_MAX_LENGTH,
  pattern: NO_NUL_OR_LONE_SURROGATE,
  description: `How the user is shown: 1-${DISPLAY_NAME_MAX_LENGTH} characters.`
})
const Bio = Type.String({
  maxLength: BIO_MAX_LENGTH,
  pattern: NO_NUL_OR_LONE_SURROGATE,
  description: `A few words about the user, plain text, up to ${BIO_MAX_LENGTH} characters; surrounding whitespace is trimmed, and an empty one is no bio (null).`
})
const AvatarUrl = Type.String({
  format: 'uri-reference',
  description: 'Where the user\'s picture is (GET, relative to this server); it changes with the picture, so a client may keep what it fetched from it.'
})
const Password = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  writeOnly: true,
  description: `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters. Stored only as an Argon2id hash.`
})

export const User = Type.Object({
  username: Username,
  email: Nullable(Email, { description: 'The user\'s email address; null for the built-in users that have none.' }),
  display_name: DisplayName,
  bio: Nullable(Bio),
  avatar_url: Nullable(AvatarUrl, { description: 'Where the user\'s picture is; null when they have none.' }),
  role: Ref(UserRole),
  disabled: Type.Boolean({ description: 'A disabled user cannot sign in, and every token they had stopped working.' }),
  created_at: Timestamp,
  updated_at: Timestamp
}, { $id: 'User', title: 'User', additionalProperties: false })
export type User = Static<typeof User>

export const UserList = Page(Ref(User), { $id: 'UserList', description: 'One page of users, by username.' })
export type UserList = Static<typeof UserList>

export const UserCreate = Type.Object({
  username: Username,
  email: Email,
  password: Password,
  display_name: Type.Optional(DisplayName),
  role: Type.Optional(Ref(UserRole, { description: 'Only a caller with the `users:admin` scope may create an `admin`. Default `member`.' }))
}, {
  $id: 'UserCreate',
  title: 'UserCreate',
  description: 'A new user. `display_name` defaults to the username. Fields not listed here are rejected.',
  additionalProperties: false
})
export type UserCreate = Static<typeof UserCreate>

export const UserUpdate = Type.Object({
  email: Type.Optional(Email),
  display_name: Type.Optional(DisplayName),
  bio: Type.Optional(Nullable(Bio, { description: 'A few words about you; null or an empty string removes it.' })),
  password: Type.Optional({ ...Password, description: `The new password (${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters); needs \`current_password\`. Every token of the user stops working.` }),
  current_password: Type.Optional(Type.String({ maxLength: PASSWORD_MAX_LENGTH, writeOnly: true, description: 'The password as it is now: required to set a new one.' }))
}, {
  $id: 'UserUpdate',
  title: 'UserUpdate',
  description: 'Changes to your own account (as JSON, or as an HTML form: urlencoded or multipart); fields left out keep their value.',
  additionalProperties: false
})
export type UserUpdate = Static<typeof UserUpdate>

export const UserAdminUpdate = Type.Object({
  role: Type.Optional(Ref(UserRole)),
  disabled: Type.Optional(Type.Boolean({ description: 'true disables the user: they cannot sign in, and every token they hold stops working at once.' }))
}, {
  $id: 'UserAdminUpdate',
  title: 'UserAdminUpdate',
  description: 'What an administrator may change about a user.',
  additionalProperties: false
})
export type UserAdminUpdate = Static<typeof UserAdminUpdate>

export const UsernameParams = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 39, pattern: NO_NUL, description: 'A username (compared without regard to case).' })
}, { additionalProperties: false })
export type UsernameParams = Static<typeof UsernameParams>

export const Profile = Type.Object({
  username: Username,
  display_name: DisplayName,
  bio: Nullable(Bio),
  avatar_url: Nullable(AvatarUrl, { description: 'Where the user\'s picture is; null when they have none.' })
}, { $id: 'Profile', title: 'Profile', description: 'What every signed-in user may see of another.', additionalProperties: false })
export type Profile = Static<typeof Profile>
