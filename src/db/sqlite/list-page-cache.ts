import type BetterSqlite3 from 'better-sqlite3'
import { LRUCache } from 'lru-cache'
import type { ListPosition, TaskPage } from '../database.js'
import type { TaskListQuery } from '../../schemas/task.js'
import type { Viewer } from '../viewer.js'

// Tasks held in remembered pages, all pages together: a few megabytes.
const REMEMBERED_TASKS = 5_000

type ListAnswer = TaskPage | 'project-not-found'

/**
 * The list pages read since the database last changed, answered again
 * without a query while nothing has been written. A page is read again once
 * anything may have changed what it shows: every row this connection
 * inserts, updates or deletes moves `total_changes()`, and every commit of
 * another connection to the file (another process) moves `PRAGMA
 * data_version`; either forgets every page. A list whose answer depends on
 * the clock as well (`overdue`) is never remembered. Pages are frozen, as
 * they are shared by every request that asks the same.
 */
export function createListPageCache (client: BetterSqlite3.Database) {
  const changesAndVersion = client.prepare('SELECT total_changes(), data_version FROM pragma_data_version').raw()
  const pages = new LRUCache<string, ListAnswer>({
    maxSize: REMEMBERED_TASKS,
    sizeCalculation: (answer) => typeof answer === 'string' ? 1 : answer.items.length + 1
  })
  let pagesAt = ''

  return function rememberedPage (viewer: Viewer, query: TaskListQuery, after: ListPosition | undefined, read: () => ListAnswer): ListAnswer {
    if (query.overdue !== undefined) return read()
    const [changes, version] = changesAndVersion.get() as [number, number]
    const now = `${changes}:${version}`
    if (now !== pagesAt) {
      pages.clear()
      pagesAt = now
    }
    const key = JSON.stringify([viewer.userId, viewer.admin, query, after])
    let answer = pages.get(key)
    if (answer === undefined) {
      answer = frozen(read())
      pages.set(key, answer)
    }
    return answer
  }
}

function frozen (answer: ListAnswer): ListAnswer {
  if (typeof answer === 'string') return answer
  for (const task of answer.items) Object.freeze(task)
  Object.freeze(answer.items)
  return Object.freeze(answer)
}
