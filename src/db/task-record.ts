import type { Location, Task, TaskStatus, TaskUpdate } from '../schemas/task.js'
import { isoTimestamp, timestampOf } from './iso-timestamp.js'

/** A task row as both databases store it (timestamps in milliseconds since the epoch). */
export interface TaskRow {
  id: number
  title: string
  description: string | null
  status: TaskStatus
  priority: number
  assignee: string | null
  createdAt: number
  updatedAt: number
  deletedAt: number | null
  version: number
  projectId: number | null
  createdBy: number
  notifyEmail: string | null
  dueAt: number | null
  // A location is its latitude and longitude, both or neither, and a name only with them.
  locationName: string | null
  locationLatitude: number | null
  locationLongitude: number | null
}

/** A task row with what the API shows of its references: its project's slug and its creator's username. */
export interface TaskRecord extends TaskRow {
  projectSlug: string | null
  creator: string
}

/** What a viewer may do with a task or a project: nothing (it is not there for them), read, or write. */
export const NONE = 0
export const READ = 1
export const WRITE = 2

/** The fields a write sets as given; `project` is a slug, turned into the task's project id. */
export const CHANGEABLE_FIELDS = ['title', 'description', 'status', 'priority', 'assignee'] as const satisfies ReadonlyArray<keyof TaskUpdate & keyof TaskRow>

/** The columns a whole task's writable fields are stored in (its project aside). */
export function fieldColumns (fields: Required<TaskUpdate>): Omit<TaskRow, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'version' | 'projectId' | 'createdBy'> {
  return {
    title: fields.title,
    description: fields.description,
    status: fields.status,
    priority: fields.priority,
    assignee: fields.assignee,
    notifyEmail: fields.notify_email,
    dueAt: fields.due_at === null ? null : timestampOf(fields.due_at),
    ...locationColumns(fields.location)
  }
}

/** The row a write would store: `current` with the changes given (and the project, when one was named). */
export function changedRow (current: TaskRow, changes: TaskUpdate, projectId: number | null | undefined): TaskRow {
  const next: TaskRow = { ...current }
  for (const field of CHANGEABLE_FIELDS) {
    const changed = changes[field]
    if (changed !== undefined) (next as unknown as Record<string, unknown>)[field] = changed
  }
  if (changes.notify_email !== undefined) next.notifyEmail = changes.notify_email
  if (changes.due_at !== undefined) next.dueAt = changes.due_at === null ? null : timestampOf(changes.due_at)
  if (changes.location !== undefined) Object.assign(next, locationColumns(changes.location))
  if (projectId !== undefined) next.projectId = projectId
  return next
}

/** The columns of what a task shows that a write may change. */
export const CHANGEABLE_COLUMNS = ['title', 'description', 'status', 'priority', 'assignee', 'notifyEmail', 'dueAt', 'locationName', 'locationLatitude', 'locationLongitude', 'projectId'] as const satisfies ReadonlyArray<keyof TaskRow>
export type ChangeableColumn = typeof CHANGEABLE_COLUMNS[number]

/** The columns whose values differ between two versions of a row. */
export const changedColumns = (current: TaskRow, next: TaskRow): ChangeableColumn[] => CHANGEABLE_COLUMNS.filter((column) => current[column] !== next[column])

/** Whether a write changes anything the task shows: one that does not leaves the version. */
export function isChanged (current: TaskRow, next: TaskRow): boolean {
  return CHANGEABLE_COLUMNS.some((column) => current[column] !== next[column])
}

/** Now, but always later than the last change, so updated_at moves on every change. */
export function nextUpdatedAt (current: TaskRow): number {
  return Math.max(Date.now(), current.updatedAt + 1)
}

/** A LIKE pattern matching `q` anywhere, with `%`, `_` and `\` matching themselves (escaped with `\`). */
export function likePattern (q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`
}

export function toTask (record: TaskRecord): Task {
  return {
    id: record.id,
    title: record.title,
    description: record.description,
    status: record.status,
    priority: record.priority,
    assignee: record.assignee,
    notify_email: record.notifyEmail,
    project: record.projectSlug,
    due_at: record.dueAt === null ? null : isoTimestamp(record.dueAt),
    location: record.locationLatitude === null
      ? null
      : { name: record.locationName, latitude: record.locationLatitude, longitude: record.locationLongitude as number },
    created_by: record.creator,
    created_at: isoTimestamp(record.createdAt),
    updated_at: isoTimestamp(record.updatedAt),
    deleted_at: record.deletedAt === null ? null : isoTimestamp(record.deletedAt),
    version: record.version
  }
}

/** The columns that store a task's location (all null for none). */
export function locationColumns (location: Location | null): Pick<TaskRow, 'locationName' | 'locationLatitude' | 'locationLongitude'> {
  return {
    locationName: location?.name ?? null,
    locationLatitude: location?.latitude ?? null,
    locationLongitude: location?.longitude ?? null
  }
}
