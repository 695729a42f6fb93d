import { Type, type Static } from '@sinclair/typebox'
import { Page, PagingParameters } from './page.js'
import { Slug } from './project.js'
import { NO_LONE_SURROGATE, NO_NUL, NO_NUL_OR_LONE_SURROGATE } from './text-patterns.js'
import { Timestamp } from './timestamp.js'
import { Nullable, Ref, StringEnum } from './type-helpers.js'
import { EMAIL_MAX_LENGTH, Username } from './user.js'

export const TASK_STATUSES = ['pending', 'in_progress', 'done', 'cancelled'] as const
/** The statuses of a task not yet finished: one of them past its due time is overdue. */
export const OPEN_STATUSES = ['pending', 'in_progress'] as const satisfies readonly TaskStatus[]
export const DEFAULT_STATUS = 'pending'
export const DEFAULT_PRIORITY = 2
export const TITLE_MAX_LENGTH = 200
export const DESCRIPTION_MAX_LENGTH = 2000
export const ASSIGNEE_MAX_LENGTH = 100

export const TaskStatus = StringEnum(TASK_STATUSES, {
  $id: 'TaskStatus',
  title: 'TaskStatus',
  description: 'Where a task stands in its life cycle.'
})
export type TaskStatus = Static<typeof TaskStatus>

export const TaskId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The task\'s unique, never reused id.' })
const Title = Type.String({
  minLength: 1,
  maxLength: TITLE_MAX_LENGTH,
  // SQLite measures text up to its first NUL, so a title with one could not be checked.
  pattern: NO_NUL_OR_LONE_SURROGATE,
  description: `1-${TITLE_MAX_LENGTH} characters; surrounding whitespace is trimmed before it is checked and stored. No NUL (U+0000), no unpaired surrogate.`
})
const Description = Nullable(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH, pattern: NO_NUL_OR_LONE_SURROGATE }), { description: `Up to ${DESCRIPTION_MAX_LENGTH} characters (no NUL, no unpaired surrogate), or null.` })
const Priority = Type.Integer({ minimum: 1, maximum: 5, description: 'From 1 (highest) to 5 (lowest).' })
const Assignee = Nullable(Type.String({ maxLength: ASSIGNEE_MAX_LENGTH, pattern: NO_NUL_OR_LONE_SURROGATE }), { description: `Who the task is for: up to ${ASSIGNEE_MAX_LENGTH} characters (no NUL, no unpaired surrogate), or null.` })
const NotifyEmail = Nullable(Type.String({ format: 'email', maxLength: EMAIL_MAX_LENGTH }), { description: 'Who is told by email when the task becomes done (through complete, PATCH or PUT), or null.' })
const ProjectSlug = Nullable(Slug, { description: 'The slug of the project the task belongs to, or null for a task of its creator\'s own.' })
const DueAt = Nullable(Type.String({ format: 'date-time', examples: ['2026-12-24T17:00:00Z'] }), {
  description: 'When the task is due: an RFC 3339 date-time between years 0000 and 9999 (any offset; shown in UTC with milliseconds), or null for none.'
})

export const LOCATION_NAME_MAX_LENGTH = 200
export const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'Degrees north (negative: south), -90 to 90.' })
export const Longitude = Type.Number({ minimum: -180, maximum: 180, description: 'Degrees east (negative: west), -180 to 180.' })
export const Location = Type.Object({
  name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LOCATION_NAME_MAX_LENGTH, pattern: NO_NUL_OR_LONE_SURROGATE }), {
    description: `What the place is called: 1-${LOCATION_NAME_MAX_LENGTH} characters (no NUL, no unpaired surrogate), or null. Always present in a task.`
  })),
  latitude: Latitude,
  longitude: Longitude
}, { $id: 'Location', title: 'Location', description: 'Where the task happens: a point in WGS 84 degrees, and optionally its name.', additionalProperties: false })
export type Location = Static<typeof Location>
const TaskLocation = Nullable(Ref(Location), { description: 'Where the task happens, or null for nowhere in particular.' })

export const Task = Type.Object({
  id: TaskId,
  title: Title,
  description: Description,
  status: Ref(TaskStatus),
  priority: Priority,
  assignee: Assignee,
  notify_email: NotifyEmail,
  project: ProjectSlug,
  due_at: DueAt,
  location: TaskLocation,
  created_by: { ...Username, description: 'The username of whoever created the task. Read-only.' },
  created_at: Timestamp,
  updated_at: Timestamp,
  deleted_at: Nullable(Timestamp, { description: 'When the task was soft-deleted, or null.' }),
  version: Type.Integer({
    minimum: 1,
    description: '1 when created, one more on every change (delete and restore included). The task\'s ETag is `"{id}-{version}"`.'
  })
}, { $id: 'Task', title: 'Task', additionalProperties: false })
export type Task = Static<typeof Task>

// The writable fields as a whole task: what POST creates and PUT replaces with.
const WholeTaskFields = {
  title: Title,
  description: Type.Optional(Description),
  status: Type.Optional(Ref(TaskStatus, { default: DEFAULT_STATUS })),
  priority: Type.Optional(Type.Integer({ ...Priority, default: DEFAULT_PRIORITY })),
  assignee: Type.Optional(Assignee),
  notify_email: Type.Optional(NotifyEmail),
  project: Type.Optional(ProjectSlug),
  due_at: Type.Optional(DueAt),
  location: Type.Optional(TaskLocation)
}

export const TaskCreate = Type.Object(WholeTaskFields, {
  $id: 'TaskCreate',
  title: 'TaskCreate',
  description: 'A new task. Fields not listed here are rejected.',
  additionalProperties: false
})
export type TaskCreate = Static<typeof TaskCreate>

export const TaskReplace = Type.Object(WholeTaskFields, {
  $id: 'TaskReplace',
  title: 'TaskReplace',
  description: 'Every writable field of a task: a field left out returns to its default (description, assignee, notify_email, project, due_at and location null, status pending, priority 2). Fields not listed here are rejected.',
  additionalProperties: false
})
export type TaskReplace = Static<typeof TaskReplace>

/** A whole task's writable fields, the ones left out at their defaults. */
export function withDefaults (input: TaskCreate): Required<TaskUpdate> {
  return {
    title: input.title,
    description: input.description ?? null,
    status: input.status ?? DEFAULT_STATUS,
    priority: input.priority ?? DEFAULT_PRIORITY,
    assignee: input.assignee ?? null,
    notify_email: input.notify_email ?? null,
    project: input.project ?? null,
    due_at: input.due_at ?? null,
    location: input.location ?? null
  }
}

export const TaskUpdate = Type.Object({
  title: Type.Optional(Title),
  description: Type.Optional(Description),
  status: Type.Optional(Ref(TaskStatus)),
  priority: Type.Optional(Priority),
  assignee: Type.Optional(Assignee),
  notify_email: Type.Optional(NotifyEmail),
  project: Type.Optional(ProjectSlug),
  due_at: Type.Optional(DueAt),
  location: Type.Optional(TaskLocation)
}, {
  $id: 'TaskUpdate',
  title: 'TaskUpdate',
  description: 'The fields to change; fields left out keep their value. `null` clears description, assignee, notify_email, due_at or location (a location is replaced whole), or takes the task out of its project. Moving a task needs editor rights in both projects.',
  additionalProperties: false
})
export type TaskUpdate = Static<typeof TaskUpdate>

export const TaskList = Page(Ref(Task), { $id: 'TaskList', description: 'One page of the tasks you can see that match the filters.' })
export type TaskList = Static<typeof TaskList>

export const TASK_SORT_FIELDS = ['created_at', 'priority', 'title', 'due_at'] as const
export const SORT_ORDERS = ['asc', 'desc'] as const

export const TaskListQuery = Type.Object({
  ...PagingParameters,
  updated_since: Type.Optional(Type.String({
    format: 'date-time',
    description: 'Only tasks changed at or after this RFC 3339 time. With `include_deleted=true`, tasks deleted since are listed too.'
  })),
  status: Type.Optional(Ref(TaskStatus, { description: 'Only tasks with this status.' })),
  priority: Type.Optional(Type.Integer({ ...Priority, description: 'Only tasks with this priority.' })),
  project: Type.Optional({ ...Slug, description: 'Only tasks of this project (its slug).' }),
  due_before: Type.Optional(Type.String({ format: 'date-time', description: 'Only tasks due before this RFC 3339 time (tasks without a due time never match).' })),
  due_after: Type.Optional(Type.String({ format: 'date-time', description: 'Only tasks due at or after this RFC 3339 time (tasks without a due time never match).' })),
  overdue: Type.Optional(Type.Boolean({ description: '`true`: only tasks past their due time and not yet done (pending or in progress). `false`: only the others.' })),
  sort_by: StringEnum(TASK_SORT_FIELDS, { default: 'created_at', description: 'Sort field; ties are broken by id in the same direction. Tasks without a due time come last when sorting by `due_at`, in either order.' }),
  sort_order: StringEnum(SORT_ORDERS, { default: 'desc' }),
  include_deleted: Type.Boolean({ default: false, description: 'Also list soft-deleted tasks.' }),
  q: Type.Optional(Type.String({
    maxLength: DESCRIPTION_MAX_LENGTH,
    pattern: NO_NUL,
    description: 'Case-insensitive (ASCII) substring of the title or description; `%`, `_` and `\\` match themselves. Must not contain NUL (U+0000).'
  }))
}, { additionalProperties: false })
export type TaskListQuery = Static<typeof TaskListQuery>

/** Version 1's list: the same filters, sort and offset paging, without cursors. */
export const TaskListV1Query = Type.Omit(TaskListQuery, ['cursor'], { additionalProperties: false })
export type TaskListV1Query = Static<typeof TaskListV1Query>

export const TaskIdParams = Type.Object({
  task_id: TaskId
}, { additionalProperties: false })
export type TaskIdParams = Static<typeof TaskIdParams>
