import { Type, type Static } from '@sinclair/typebox'
import { NO_NUL, NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'
import { PASSWORD_MAX_LENGTH } from './user.js'

/** What a token may be used for; each operation needs one of them (see the OpenAPI document). */
export const SCOPES = {
  'tasks:read': 'Read the tasks you can see',
  'tasks:write': 'Create, change, delete and restore tasks',
  'projects:read': 'Read your projects and their members',
  'projects:write': 'Create and manage projects and their members',
  'users:admin': 'Manage users (administrators only)'
} as const
export type Scope = keyof typeof SCOPES
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[]

export const ScopeName = StringEnum(SCOPE_NAMES, { $id: 'Scope', title: 'Scope', description: 'A permission a token carries.' })

export const TOKEN_NAME_MAX_LENGTH = 100
// Long enough for a refresh token or a space-separated list of every scope, with room to spare.
const FORM_VALUE_MAX_LENGTH = 1024

/** The form of POST /auth/token: RFC 6749's password grant (4.3) and refresh (6). */
export const TokenRequest = Type.Object({
  grant_type: StringEnum(['password', 'refresh_token'], { description: '`password` to sign in, `refresh_token` to exchange a refresh token for new tokens.' }),
  username: Type.Optional(Type.String({ maxLength: FORM_VALUE_MAX_LENGTH, pattern: NO_NUL, description: 'With `password`: the username.' })),
  password: Type.Optional(Type.String({ maxLength: PASSWORD_MAX_LENGTH, writeOnly: true, description: 'With `password`: the password.' })),
  refresh_token: Type.Optional(Type.String({ maxLength: FORM_VALUE_MAX_LENGTH, writeOnly: true, description: 'With `refresh_token`: the refresh token.' })),
  scope: Type.Optional(Type.String({
    maxLength: FORM_VALUE_MAX_LENGTH,
    description: 'Space-separated scopes to ask for; left out or empty: every scope the user may have (for a refresh: those of the refresh token).'
  })),
  // Swagger UI and other OAuth clients send these; this API has no registered clients, so they are not checked.
  client_id: Type.Optional(Type.String({ maxLength: FORM_VALUE_MAX_LENGTH, description: 'Ignored: any client may ask.' })),
  client_secret: Type.Optional(Type.String({ maxLength: FORM_VALUE_MAX_LENGTH, writeOnly: true, description: 'Ignored.' }))
}, { $id: 'TokenRequest', title: 'TokenRequest', additionalProperties: false })
export type TokenRequest = Static<typeof TokenRequest>

export const TokenResponse = Type.Object({
  access_token: Type.String({ description: 'A JWT to send as `Authorization: Bearer ...`.' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }),
  refresh_token: Type.String({ description: 'Exchange it (once) for new tokens with `grant_type=refresh_token`; using it twice revokes every token it led to.' }),
  scope: Type.String({ description: 'The scopes granted, space-separated: those asked for that the user may have.' })
}, { $id: 'TokenResponse', title: 'TokenResponse', additionalProperties: false })
export type TokenResponse = Static<typeof TokenResponse>

/** RFC 6749 section 5.2, with the problem details fields every error of this API has. */
export const OAuthError = Type.Object({
  error: StringEnum(['invalid_request', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope'], { description: 'RFC 6749 section 5.2 error code.' }),
  error_description: Type.String(),
  type: Type.String({ format: 'uri' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ detail: Type.String(), pointer: Type.String() }, { additionalProperties: false })))
}, { $id: 'OAuthError', title: 'OAuthError', description: 'An RFC 6749 token error, which is also RFC 9457 problem details.' })
export type OAuthError = Static<typeof OAuthError>

const ScopeList = Type.Array(Ref(ScopeName), { minItems: 1, maxItems: SCOPE_NAMES.length, uniqueItems: true })
const TokenId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })

export const PersonalTokenCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: TOKEN_NAME_MAX_LENGTH, pattern: NO_NUL_OR_LONE_SURROGATE, description: 'What the token is for, e.g. "nightly export".' }),
  scopes: { ...ScopeList, description: 'The scopes the token may use: those you may have and the token you call with holds.' },
  expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }), { description: 'When the token stops working (RFC 3339, in the future); null or left out: never.' }))
}, {
  $id: 'PersonalTokenCreate',
  title: 'PersonalTokenCreate',
  description: 'A new personal access token for scripts. Fields not listed here are rejected.',
  additionalProperties: false
})
export type PersonalTokenCreate = Static<typeof PersonalTokenCreate>

const personalTokenFields = {
  id: TokenId,
  name: Type.String(),
  scopes: Type.Array(Ref(ScopeName)),
  created_at: Timestamp,
  expires_at: Nullable(Timestamp, { description: 'When the token stops working; null: never.' })
}

export const PersonalToken = Type.Object(personalTokenFields, { $id: 'PersonalToken', title: 'PersonalToken', additionalProperties: false })
export type PersonalToken = Static<typeof PersonalToken>

export const PersonalTokenCreated = Type.Object({
  ...personalTokenFields,
  token: Type.String({ description: 'The token itself, shown this once (only its hash is stored): send it as `Authorization: Bearer ...`.' })
}, { $id: 'PersonalTokenCreated', title: 'PersonalTokenCreated', additionalProperties: false })
export type PersonalTokenCreated = Static<typeof PersonalTokenCreated>

export const PersonalTokenList = Type.Object({
  items: Type.Array(Ref(PersonalToken))
}, { $id: 'PersonalTokenList', title: 'PersonalTokenList', description: 'Your personal access tokens that have not expired, newest first.', additionalProperties: false })
export type PersonalTokenList = Static<typeof PersonalTokenList>

export const TokenIdParams = Type.Object({ token_id: TokenId }, { additionalProperties: false })
export type TokenIdParams = Static<typeof TokenIdParams>
