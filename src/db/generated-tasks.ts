import type { Location, TaskStatus } from '../schemas/task.js'
import type { TaskRow } from './sqlite/schema.js'
import { LOCAL_USER_ID } from './local-user.js'
import { seededRandom } from './seeded-random.js'
import { locationColumns } from './task-record.js'

/** A task as stored, before the database gives it an id. */
export type GeneratedTask = Omit<TaskRow, 'id'>

// The same count always gives the same tasks: a fixed seed and a fixed clock.
const SEED = 0x7a5c
const LAST_CREATED_AT = Date.UTC(2026, 0, 1)
const HISTORY_MS = 3 * 365 * 24 * 60 * 60 * 1000
const MAX_EDIT_DELAY_MS = 30 * 24 * 60 * 60 * 1000

const VERBS = ['Review', 'Update', 'Fix', 'Write', 'Prepare', 'Schedule', 'Draft', 'Migrate', 'Test', 'Deploy', 'Plan', 'Refactor', 'Document', 'Call about', 'Email', 'Organize', 'Clean up', 'Investigate', 'Design', 'Approve', 'Archive', 'Follow up on', 'Benchmark', 'Translate', 'Audit', 'Renew', 'Estimate', 'Present']
const ADJECTIVES = ['quarterly', 'weekly', 'urgent', 'annual', 'new', 'legacy', 'shared', 'internal', 'customer', 'mobile', 'final', 'draft', 'monthly', 'public', 'staging', 'regional', 'overdue', 'revised']
const OBJECTS = ['budget report', 'onboarding guide', 'login page', 'invoice template', 'release notes', 'database backup', 'marketing plan', 'sprint board', 'vendor contract', 'support tickets', 'API documentation', 'payment flow', 'team offsite', 'security audit', 'search index', 'newsletter', 'hiring pipeline', 'dashboard', 'test suite', 'pricing page', 'expense claims', 'roadmap', 'server certificates', 'feedback survey', 'design system', 'user interviews', 'build pipeline', 'press kit', 'sales forecast', 'office lease', 'laptop refresh', 'incident report', 'data export', 'privacy policy', 'checkout page', 'load balancer', 'style guide', 'partner portal', 'tax filing', 'training slides', 'retention analysis', 'error budget', 'shipping rates', 'webhook retries', 'brand assets', 'on-call rota', 'translation files', 'travel bookings']
const CONTEXTS = ['for the Berlin office', 'before Friday', 'with the finance team', 'for Q3', 'after the launch', 'for the board meeting', 'with legal', 'for the Tokyo client', 'before the audit', 'for the mobile app', 'with the design team', 'next sprint', 'for Acme Corp', 'for the Lisbon team', 'before the holidays', 'for Globex', 'with the Nairobi office', 'for the Q4 review', 'after the migration', 'for Initech', 'with support', 'for the São Paulo launch', 'by end of month', 'for the investor update']
// A long tail of client names, as real task lists have: each in few tasks.
const SYLLABLES = ['ka', 'lo', 'ven', 'tri', 'mar', 'zo', 'bel', 'qui', 'dra', 'sol', 'nex', 'ori', 'pal', 'ru', 'sen', 'ta', 'vor', 'wyn']
export const CLIENTS = SYLLABLES.flatMap((first) => SYLLABLES.map((second) => `${first[0]?.toUpperCase()}${first.slice(1)}${second}ix`))
const PEOPLE = ['Priya', 'Marco', 'the vendor', 'legal', 'the client', 'our CFO', 'the on-call engineer', 'Ana', 'Kenji', 'the design lead', 'finance', 'Olu']
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'next week', 'the 15th', 'month end']
const SENTENCES: Array<(word: <T>(items: readonly T[]) => T) => string> = [
  (word) => `Check the numbers with ${word(PEOPLE)} before ${word(DAYS)}.`,
  (word) => `Blocked until ${word(PEOPLE)} confirms the ${word(OBJECTS)}.`,
  (word) => `The previous ${word(OBJECTS)} had broken links.`,
  (word) => `Customers reported problems with the ${word(OBJECTS)} twice this week.`,
  (word) => `Keep the change small; the release is frozen on ${word(DAYS)}.`,
  (word) => `See the notes from ${word(DAYS)}'s stand-up for context.`,
  (word) => `Needs sign-off from ${word(PEOPLE)} before it goes live.`,
  (word) => `Include screenshots of the ${word(OBJECTS)} for the review.`,
  (word) => `Pair with ${word(PEOPLE)} on the ${word(ADJECTIVES)} parts.`,
  (word) => `Staging mirrors production data every ${word(DAYS)}.`,
  (word) => `Remember the café downstairs closes early on ${word(DAYS)}.`,
  (word) => `Use the ${word(ADJECTIVES)} template in the shared drive, not the old one.`,
  (word) => `${word(PEOPLE)} expects an update by ${word(DAYS)}.`,
  (word) => `Measure the ${word(OBJECTS)} before and after so the gain is visible.`,
  (word) => `Coordinate with ${word(PEOPLE)} ${word(CONTEXTS)}.`,
  (word) => `Depends on the ${word(OBJECTS)} ${word(CONTEXTS)}.`
]
const ASSIGNEES = ['alice', 'bob', 'carol', 'dmitri', 'eve', 'farah', 'gustavo', 'hana', 'ivan', 'jun', 'kofi', 'lena', 'mateo', 'nadia', 'oscar', 'priya', 'quentin', 'rosa', 'sven', 'tomoko', 'ugo', 'valeria', 'wei', 'xena', 'yusuf', 'zoe']

// Cumulative shares: a realistic spread, most work done or waiting.
const STATUS_SHARES: Array<[TaskStatus, number]> = [['pending', 0.3], ['in_progress', 0.5], ['done', 0.92], ['cancelled', 1]]
const PRIORITY_SHARES: Array<[number, number]> = [[1, 0.08], [2, 0.43], [3, 0.73], [4, 0.9], [5, 1]]
const DELETED_SHARE = 0.04
// Due times and places come from a random sequence of their own, so that
// every other field is what the same count always gave.
const DUE_SEED = 0xd0e
const DUE_SHARE = 0.6
const MAX_DUE_DELAY_MS = 90 * 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const PLACE_SHARE = 0.15
const PLACES: Location[] = [
  { name: 'Berlin office', latitude: 52.52, longitude: 13.405 },
  { name: 'Lisbon team', latitude: 38.7223, longitude: -9.1393 },
  { name: 'Tokyo client', latitude: 35.6762, longitude: 139.6503 },
  { name: 'Nairobi office', latitude: -1.2921, longitude: 36.8219 },
  { name: 'São Paulo warehouse', latitude: -23.5505, longitude: -46.6333 },
  { name: 'Head office', latitude: 51.5072, longitude: -0.1276 },
  { name: 'Data centre', latitude: 50.1109, longitude: 8.6821 },
  { name: 'Trade fair', latitude: 45.4642, longitude: 9.19 }
]

/**
 * Realistic tasks for benchmarks and demos: titles and descriptions made of
 * searchable words, common ones and a long tail of client names, every
 * status and priority in realistic shares, due times and places for some, creation
 * times spread over three years in id order, and a few soft-deleted.
 */
export function * generateTasks (count: number): Generator<GeneratedTask> {
  const random = seededRandom(SEED)
  const dueRandom = seededRandom(DUE_SEED)
  // Skewed picks, so some words are common and others rare, as in real text.
  const pick = <T>(items: readonly T[]): T => items[Math.floor(items.length * random() ** 1.5)] as T
  const share = <T>(shares: Array<[T, number]>): T => {
    const roll = random()
    return (shares.find(([, upTo]) => roll < upTo) ?? shares[shares.length - 1] as [T, number])[0]
  }

  for (let index = 0; index < count; index++) {
    const createdAt = LAST_CREATED_AT - Math.floor(HISTORY_MS * (1 - index / count))
    const updatedAt = Math.min(LAST_CREATED_AT, createdAt + Math.floor(random() * random() * MAX_EDIT_DELAY_MS))
    const adjective = random() < 0.5 ? `${pick(ADJECTIVES)} ` : ''
    const roll = random()
    const context = roll < 0.4 ? ` ${pick(CONTEXTS)}` : roll < 0.7 ? ` for ${CLIENTS[Math.floor(random() * CLIENTS.length)]}` : ''
    const reference = random() < 0.2 ? ` (ticket #${1000 + Math.floor(random() * 90_000)})` : ''
    const task = {
      title: `${pick(VERBS)} ${adjective}${pick(OBJECTS)}${context}${reference}`,
      description: random() < 0.75 ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(SENTENCES)(pick)).join(' ') : null,
      status: share(STATUS_SHARES),
      priority: share(PRIORITY_SHARES),
      assignee: random() < 0.7 ? pick(ASSIGNEES) : null,
      createdAt,
      updatedAt,
      deletedAt: random() < DELETED_SHARE ? updatedAt : null,
      // Created by the built-in local user, outside any project, as tasks made with AUTH=off are.
      projectId: null,
      createdBy: LOCAL_USER_ID,
      notifyEmail: null,
      // Due within three months of creation, on the hour.
      dueAt: dueRandom() < DUE_SHARE ? Math.ceil((createdAt + dueRandom() * MAX_DUE_DELAY_MS) / HOUR_MS) * HOUR_MS : null,
      ...locationColumns(dueRandom() < PLACE_SHARE ? PLACES[Math.floor(dueRandom() * PLACES.length)] as Location : null)
    }
    // Created (1), edited once if it ever changed, deleted as its last change.
    yield { ...task, version: 1 + (updatedAt > createdAt ? 1 : 0) + (task.deletedAt === null ? 0 : 1) }
  }
}


