import { OPEN_STATUSES, type Location, type Task } from '../../schemas/task.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

// A due time as the API shows it: 2026-12-24T16:30:00.000Z.
const SHOWN_DUE_AT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d)(:\d\d)/

/**
 * How a due time reads on a page, in UTC as the form takes it: `24 Dec
 * 2026, 16:30 UTC`, with the seconds only when it has some. Written out
 * here rather than by Intl, whose words depend on the server's locale data.
 */
function dueLabel (dueAt: string): string {
  const [, year, month, day, minutes, seconds] = SHOWN_DUE_AT.exec(dueAt) as RegExpExecArray
  return `${Number(day)} ${MONTHS[Number(month) - 1] as string} ${year as string}, ${minutes as string}${seconds === ':00' ? '' : seconds as string} UTC`
}

/** Whether a task is past its due time and not yet done, as GET /tasks?overdue=true finds it. */
function isOverdue (task: Pick<Task, 'due_at' | 'status'>): boolean {
  return task.due_at !== null && Date.parse(task.due_at) < Date.now() && (OPEN_STATUSES as readonly string[]).includes(task.status)
}

/** How a place reads: its name and point, `Warehouse 4 (52.52, -13.405)`, or its point alone. */
function placeLabel ({ name, latitude, longitude }: Location): string {
  const point = `${latitude}, ${longitude}`
  return name === null || name === undefined ? point : `${name} (${point})`
}

/** What the task pages' templates show due times and places with. */
export const TASK_LABELS = { dueLabel, isOverdue, placeLabel }
