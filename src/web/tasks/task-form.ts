import type { TaskProjectRefusal } from '../../db/database.js'
import type { Task, TaskCreate, TaskUpdate } from '../../schemas/task.js'
import { TaskCreate as TaskCreateSchema, TaskUpdate as TaskUpdateSchema } from '../../schemas/task.js'
import { formCheck, type FieldErrors } from '../form-validation.js'
import { formText } from '../form-text.js'

/** A task form's fields as the person typed or chose them. */
export interface TaskFormValues {
  title: string
  description: string
  status: string
  priority: string
  assignee: string
  notify_email: string
  project: string
}

const LABELS: Record<keyof TaskFormValues, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  assignee: 'Assignee',
  notify_email: 'Email when done',
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
    project: task?.project ?? project ?? ''
  }
}

/** The values a form was sent with; a field missing (or sent twice) is empty. */
export function sentTaskFormValues (body: unknown): TaskFormValues {
  return Object.fromEntries(Object.keys(LABELS).map((field) => [field, formText(body, field)])) as unknown as TaskFormValues
}

/**
 * The API's input for the form's values: what a JSON client would send for
 * them. An empty optional field is null (none), the title is trimmed as the
 * API trims it, a priority of digits is a number (anything else stays text,
 * for the check to name), and the browser's CRLF line breaks are LF.
 */
function taskInput (values: TaskFormValues): Record<string, unknown> {
  const optional = (text: string) => text.trim() === '' ? null : text
  return {
    title: values.title.trim(),
    description: optional(values.description.replaceAll('\r\n', '\n')),
    status: values.status,
    priority: /^\d{1,15}$/.test(values.priority) ? Number(values.priority) : values.priority,
    assignee: optional(values.assignee),
    notify_email: optional(values.notify_email.trim()),
    project: optional(values.project)
  }
}

const checkCreate = formCheck<TaskCreate>(TaskCreateSchema, LABELS)
const checkUpdate = formCheck<Required<TaskUpdate>>(TaskUpdateSchema, LABELS)

/** The new task the form asks for, or what is wrong with it, checked as POST /tasks checks its body. */
export function taskCreate (values: TaskFormValues) {
  return checkCreate(taskInput(values))
}

/** Every field of the task as the form sets it, or what is wrong with it, checked as PATCH /tasks/{id} checks its body. */
export function taskChanges (values: TaskFormValues) {
  return checkUpdate(taskInput(values))
}

/** The message beside the project field when the repository refused the project chosen. */
export function projectErrors (refusal: TaskProjectRefusal): FieldErrors {
  return { project: refusal === 'project-not-found' ? 'Project is not a project you can see' : 'Project is one where you may only view tasks, not add or move them' }
}
