import t from 'tap'
import { CLIENTS, generateTasks } from '../../src/db/generated-tasks.js'
import { DESCRIPTION_MAX_LENGTH, TASK_STATUSES, TITLE_MAX_LENGTH } from '../../src/schemas/task.js'

const LAST_CREATED_AT = Date.UTC(2026, 0, 1)
const THREE_YEARS_MS = 3 * 365 * 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const NINETY_DAYS_MS = 90 * 24 * HOUR_MS

const tasks = [...generateTasks(2000)]

t.test('the same count gives the same tasks every time', async (t) => {
  t.same([...generateTasks(2000)], tasks)
  t.same([...generateTasks(7)], [...generateTasks(7)])
})

t.test('a count gives that many tasks, and 0 gives none', async (t) => {
  t.equal(tasks.length, 2000)
  t.same([...generateTasks(0)], [])
  t.equal([...generateTasks(1)].length, 1)
})

t.test('every status and every priority occurs in 2000 tasks, and nothing else', async (t) => {
  t.same([...new Set(tasks.map((task) => task.status))].sort(), [...TASK_STATUSES].sort())
  t.same([...new Set(tasks.map((task) => task.priority))].sort(), [1, 2, 3, 4, 5])
})

t.test('some tasks are soft-deleted, at their last update, and most are not', async (t) => {
  const deleted = tasks.filter((task) => task.deletedAt !== null)
  t.ok(deleted.length > 0, 'some deleted')
  t.ok(deleted.length < tasks.length / 2, 'most live')
  t.ok(deleted.every((task) => task.deletedAt === task.updatedAt), 'deleted when last updated')
})

t.test('creation times never go back, lie in the three years before 2026, and updates come after them', async (t) => {
  t.ok(tasks.every((task, index) => index === 0 || (tasks[index - 1]?.createdAt as number) <= task.createdAt), 'non-decreasing in id order')
  t.ok(tasks.every((task) => task.createdAt >= LAST_CREATED_AT - THREE_YEARS_MS && task.createdAt < LAST_CREATED_AT))
  t.ok(tasks.every((task) => task.updatedAt >= task.createdAt && task.updatedAt <= LAST_CREATED_AT))
  t.ok(tasks.some((task) => task.updatedAt > task.createdAt), 'some were edited later')
  t.ok(tasks.every((task) => Number.isInteger(task.createdAt) && Number.isInteger(task.updatedAt)))
})

t.test('titles, descriptions and assignees fit the API\'s limits', async (t) => {
  t.ok(tasks.every((task) => task.title.length >= 1 && task.title.length <= TITLE_MAX_LENGTH && task.title.trim() === task.title), 'titles 1-200 characters, trimmed')
  t.ok(tasks.every((task) => task.description === null || (task.description.length >= 1 && task.description.length <= DESCRIPTION_MAX_LENGTH)), 'descriptions null or up to 2000')
  t.ok(tasks.some((task) => task.description === null) && tasks.some((task) => task.description !== null), 'both occur')
  t.ok(tasks.every((task) => task.assignee === null || (task.assignee.length >= 1 && task.assignee.length <= 100)))
  t.ok(tasks.some((task) => task.assignee === null) && tasks.some((task) => task.assignee !== null), 'both occur')
  t.ok(tasks.some((task) => task.description?.includes('café')), 'some text is not ASCII')
})

t.test('most tasks are due, on the hour within three months of their creation, and some have a place', async (t) => {
  const due = tasks.filter((task) => task.dueAt !== null)
  t.ok(due.length > tasks.length / 2 && due.length < tasks.length * 0.7, `about 60% are due (${due.length})`)
  t.ok(due.every((task) => (task.dueAt as number) % HOUR_MS === 0), 'on the hour')
  t.ok(due.every((task) => (task.dueAt as number) >= task.createdAt && (task.dueAt as number) <= task.createdAt + NINETY_DAYS_MS + HOUR_MS), 'within three months of creation')
  const placed = tasks.filter((task) => task.locationLatitude !== null)
  t.ok(placed.length > tasks.length / 10 && placed.length < tasks.length / 5, `about 15% have a place (${placed.length})`)
  t.ok(placed.every((task) => typeof task.locationName === 'string' && task.locationName.length > 0 &&
    Math.abs(task.locationLatitude as number) <= 90 && Math.abs(task.locationLongitude as number) <= 180), 'a named point within the ranges')
  t.ok(tasks.every((task) => task.locationLatitude !== null || (task.locationName === null && task.locationLongitude === null)), 'the others no part of one')
  t.ok(placed.some((task) => task.dueAt === null) && placed.some((task) => task.dueAt !== null), 'places with and without a due time')
})

t.test('CLIENTS is a long tail of distinct capitalized names, some of which appear in titles', async (t) => {
  t.equal(CLIENTS.length, 18 * 18)
  t.equal(new Set(CLIENTS).size, CLIENTS.length)
  t.ok(CLIENTS.every((name) => /^[A-Z][a-z]+ix$/.test(name)))
  const named = CLIENTS.filter((name) => tasks.some((task) => task.title.includes(name)))
  t.ok(named.length > 50, 'many clients are named')
  t.ok(named.length < CLIENTS.length, 'yet each in few tasks: not all in 2000')
})
