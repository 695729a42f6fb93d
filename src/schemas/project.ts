import { Type, type Static } from '@sinclair/typebox'
import { Page } from './page.js'
import { NO_NUL, NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'
import { Username, UsernameParams } from './user.js'

export const PROJECT_ROLES = ['viewer', 'editor', 'owner'] as const
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'
export const SLUG_MAX_LENGTH = 64
export const PROJECT_NAME_MAX_LENGTH = 100
export const PROJECT_DESCRIPTION_MAX_LENGTH = 2000

export const ProjectRole = StringEnum(PROJECT_ROLES, {
  $id: 'ProjectRole',
  title: 'ProjectRole',
  description: 'A `viewer` reads the project and its tasks, an `editor` also writes its tasks, an `owner` also manages the project and its members.'
})
export type ProjectRole = Static<typeof ProjectRole>

export const Slug = Type.String({
  maxLength: SLUG_MAX_LENGTH,
  pattern: SLUG_PATTERN,
  description: `A project's name in URLs: lowercase letters and digits in words joined by single hyphens, at most ${SLUG_MAX_LENGTH} characters, e.g. \`website-relaunch\`.`
})
const ProjectName = Type.String({
  minLength: 1,
  maxLength: PROJECT_NAME_MAX_LENGTH,
  pattern: NO_NUL_OR_LONE_SURROGATE,
  description: `1-${PROJECT_NAME_MAX_LENGTH} characters; surrounding whitespace is trimmed.`
})
const ProjectDescription = Nullable(Type.String({ maxLength: PROJECT_DESCRIPTION_MAX_LENGTH, pattern: NO_NUL_OR_LONE_SURROGATE }), {
  description: `Up to ${PROJECT_DESCRIPTION_MAX_LENGTH} characters (no NUL, no unpaired surrogate), or null.`
})

export const Project = Type.Object({
  slug: Slug,
  name: ProjectName,
  description: ProjectDescription,
  role: Nullable(Ref(ProjectRole), { description: 'Your role in the project; null when you see it as an administrator without being a member.' }),
  created_at: Timestamp,
  updated_at: Timestamp
}, { $id: 'Project', title: 'Project', additionalProperties: false })
export type Project = Static<typeof Project>

export const ProjectCreate = Type.Object({
  name: ProjectName,
  slug: Type.Optional({ ...Slug, description: `${Slug.description} Derived from the name when left out ("Café déjà vu!" becomes \`cafe-deja-vu\`, then \`cafe-deja-vu-2\` if that is taken).` }),
  description: Type.Optional(ProjectDescription)
}, {
  $id: 'ProjectCreate',
  title: 'ProjectCreate',
  description: 'A new project; whoever creates it is its first owner. Fields not listed here are rejected.',
  additionalProperties: false
})
export type ProjectCreate = Static<typeof ProjectCreate>

export const ProjectUpdate = Type.Object({
  name: Type.Optional(ProjectName),
  slug: Type.Optional({ ...Slug, description: `${Slug.description} The old slug keeps answering, with a 308 redirect to the new one, until another project takes it.` }),
  description: Type.Optional(ProjectDescription)
}, {
  $id: 'ProjectUpdate',
  title: 'ProjectUpdate',
  description: 'The fields to change; fields left out keep their value.',
  additionalProperties: false
})
export type ProjectUpdate = Static<typeof ProjectUpdate>

export const ProjectList = Page(Ref(Project), { $id: 'ProjectList', description: 'One page of the projects you can see, by slug.' })
export type ProjectList = Static<typeof ProjectList>

export const Member = Type.Object({
  username: Username,
  display_name: Type.String(),
  role: Ref(ProjectRole)
}, { $id: 'Member', title: 'Member', additionalProperties: false })
export type Member = Static<typeof Member>

export const MemberList = Page(Ref(Member), { $id: 'MemberList', description: 'One page of a project\'s members, by username.' })
export type MemberList = Static<typeof MemberList>

export const MemberPut = Type.Object({
  role: Ref(ProjectRole)
}, { $id: 'MemberPut', title: 'MemberPut', description: 'The role to give the user in the project.', additionalProperties: false })
export type MemberPut = Static<typeof MemberPut>

export const SlugParams = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: SLUG_MAX_LENGTH, pattern: NO_NUL, description: 'The project\'s slug (an old slug answers with a 308 redirect).' })
}, { additionalProperties: false })
export type SlugParams = Static<typeof SlugParams>

export const MemberParams = Type.Object({
  slug: SlugParams.properties.slug,
  username: UsernameParams.properties.username
}, { additionalProperties: false })
export type MemberParams = Static<typeof MemberParams>
