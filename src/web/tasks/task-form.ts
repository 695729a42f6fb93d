import type { TaskProjectRefusal } from '../../db/database.js'
import { isKeepableDueAt } from '../../db/due-order.js'
import type { Task, TaskCreate, TaskUpdate } from '../../schemas/task.js'
import { TaskCreate as TaskCreateSchema, TaskUpdate as TaskUpdateSchema } from '../../schemas/task.js'
import { formCheck, type FieldErrors, type FormCheck } from '../form-validation.js'
import { formText } from '../form-text.js'

/** A task form's fields as the person typed or chose them. */
export interface TaskFormValues {
  title: string
  description: string
  status: string
  priority: string
  assignee: string
  notify_email: string
  /** In UTC, as a datetime-local field holds it: 2026-12-24T16:30. */
  due_at: string
  location_name: string
  location_latitude: string
  location_longitude: string
  project: string
}

const LABELS: Record<keyof TaskFormValues, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  assignee: 'Assignee',
  notify_email: 'Email when done',
  due_at: 'Due (UTC)',
  location_name: 'Place name',
  location_latitude: 'Latitude',
  location_longitude: 'Longitude',
  project: 'Project'
}

/** The form's values for a task as it is (or, for a new one, its defaults). */
export function taskFormValues (task?: Task, project?: string): TaskFormValues {
  return {
    title: task?.title ?? '',
    description: task?.description ?? '',
    status: task?.status ?? 'pending',
    priority: String(task?.priority ?? 2),
    assignee: task?.assignee ?? '',
    notify_email: task?.notify_email ?? '',
    due_at: localDateTime(task?.due_at ?? null),
    location_name: task?.location?.name ?? '',
    location_latitude: String(task?.location?.latitude ?? ''),
    location_longitude: String(task?.location?.longitude ?? ''),
    project: task?.project ?? project ?? ''
  }
}

/**
 * A due time (as the API shows it, in UTC with milliseconds) as a
 * datetime-local field holds it: to the minute, with the seconds (and
 * milliseconds) only when it has some, so that saving the form unchanged
 * leaves it as it was.
 */
function localDateTime (dueAt: string | null): string {
  if (dueAt === null) return ''
  return dueAt.replace(/Z$/, '').replace(/\.000$/, '').replace(/:00$/, '')
}

/** The values a form was sent with; a field missing (or sent twice) is empty. */
export function sentTaskFormValues (body: unknown): TaskFormValues {
  return Object.fromEntries(Object.keys(LABELS).map((field) => [field, formText(body, field)])) as unknown as TaskFormValues
}

const isBlank = (text: string) => text.trim() === ''
const optional = (text: string) => isBlank(text) ? null : text

/**
 * The API's input for the form's values: what a JSON client would send for
 * them. An empty optional field is null (none), the title is trimmed as the
 * API trims it, a priority of digits is a number (anything else stays text,
 * for the check to name), and the browser's CRLF line breaks are LF.
 */
function taskInput (values: TaskFormValues): Record<string, unknown> {
  return {
    title: values.title.trim(),
    description: optional(values.description.replaceAll('\r\n', '\n')),
    status: values.status,
    priority: /^\d{1,15}$/.test(values.priority) ? Number(values.priority) : values.priority,
    assignee: optional(values.assignee),
    notify_email: optional(values.notify_email.trim()),
    due_at: dueAtInput(values.due_at),
    location: locationInput(values),
    project: optional(values.project)
  }
}

// What a datetime-local field sends: a date and a time to the minute, or to the second or millisecond when it has them.
const LOCAL_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$/

/**
 * The due time the field asks for: none when it is empty; what a
 * datetime-local field sends, in UTC (as its label says), written as RFC
 * 3339 wants it (seconds, and Z); anything else as it was typed, for the
 * check to name.
 */
function dueAtInput (text: string): string | null {
  if (isBlank(text)) return null
  if (!LOCAL_DATE_TIME.test(text)) return text
  return `${text}${text.length === 'YYYY-MM-DDTHH:MM'.length ? ':00' : ''}Z`
}

/**
 * The place the three fields ask for: none when they are all empty; else
 * its name (null when blank) and its point, where a coordinate left empty
 * is missing (for the check to ask for) and one that reads as a number is
 * that number (anything else stays text, for the check to name).
 */
function locationInput ({ location_name: name, location_latitude: latitude, location_longitude: longitude }: TaskFormValues): Record<string, unknown> | null {
  if (isBlank(name) && isBlank(latitude) && isBlank(longitude)) return null
  return { name: optional(name), latitude: coordinate(latitude), longitude: coordinate(longitude) }
}

// A decimal number; a comma as its decimal mark too, the only one some phones' decimal keypads have.
const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?$/i

function coordinate (text: string): number | string | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  return DECIMAL.test(trimmed) ? Number(trimmed.replace(',', '.')) : text
}

const checkCreate = formCheck<TaskCreate>(TaskCreateSchema, LABELS)
const checkUpdate = formCheck<Required<TaskUpdate>>(TaskUpdateSchema, LABELS)

/** The new task the form asks for, or what is wrong with it, checked as POST /tasks checks its body. */
export function taskCreate (values: TaskFormValues) {
  return checkTask(checkCreate, values)
}

/** Every field of the task as the form sets it, or what is wrong with it, checked as PATCH /tasks/{id} checks its body. */
export function taskChanges (values: TaskFormValues) {
  return checkTask(checkUpdate, values)
}

/**
 * The form's values checked by the API's schema, and then as the API checks
 * a due time past its schema (isKeepableDueAt): one whose offset has no
 * minutes, or that falls outside the years 0000-9999 in UTC, is one the API
 * could not show back. A datetime-local field never sends either, but
 * what was typed in a plain text field (where a browser has no date picker)
 * may be one.
 */
function checkTask<T extends Pick<TaskCreate, 'due_at'>> (check: FormCheck<T>, values: TaskFormValues): ReturnType<FormCheck<T>> {
  const checked = check(taskInput(values))
  if (checked.errors !== undefined) return { errors: withPlaceMessage(checked.errors, values) }
  const dueAt = checked.value.due_at
  if (dueAt !== null && dueAt !== undefined && !isKeepableDueAt(dueAt)) return { errors: { due_at: `${LABELS.due_at} must be a date and time between the years 0000 and 9999, like 2026-12-24T17:00` } }
  return checked
}

const NAMED_PLACE_WITHOUT_POINT = 'Latitude and longitude are required for a place: give both, or clear its name'

/**
 * A place given only a name is asked for its point in one message, by the
 * latitude, rather than told that two fields it did not mean to fill in
 * are each required.
 */
function withPlaceMessage (errors: FieldErrors, values: TaskFormValues): FieldErrors {
  if (isBlank(values.location_name) || !isBlank(values.location_latitude) || !isBlank(values.location_longitude)) return errors
  const withMessage: FieldErrors = { ...errors, location_latitude: NAMED_PLACE_WITHOUT_POINT }
  delete withMessage.location_longitude
  return withMessage
}

/** The message beside the project field when the repository refused the project chosen. */
export function projectErrors (refusal: TaskProjectRefusal): FieldErrors {
  return { project: refusal === 'project-not-found' ? 'Project is not a project you can see' : 'Project is one where you may only view tasks, not add or move them' }
}
