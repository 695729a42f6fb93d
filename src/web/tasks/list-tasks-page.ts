import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { preValidationAsyncHookHandler } from 'fastify'
import { principalOf } from '../../plugins/app/authentication.js'
import { queryParameterProblem } from '../../problems/validation-problem.js'
import { SORT_ORDERS, TASK_SORT_FIELDS, TASK_STATUSES, TaskListQuery } from '../../schemas/task.js'
import { renderPage } from '../render-page.js'
import { visibleProjects, writesIn } from '../project-access.js'
import { TASK_LABELS } from './task-labels.js'

/**
 * The task list: the API's filters, search, sort and paging as query
 * parameters, so that a list can be bookmarked and shared. The filter form
 * sends every field, the empty ones too: an empty parameter is no filter.
 */
const listTasksPage: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'public' },
    preValidation: dropEmptyParameters,
    schema: { hide: true, querystring: TaskListQuery }
  }, async (request, reply) => {
    const viewer = principalOf(request)
    const query = request.query
    if (query.cursor !== undefined) throw queryParameterProblem('cursor', 'is for the API; these pages go by offset')
    const page = await fastify.db.tasks.list(viewer, query)
    if (page === 'project-not-found') throw queryParameterProblem('project', 'is not a project you can see')
    const projects = await visibleProjects(fastify.db, viewer)
    const writable = new Set(projects.filter((project) => writesIn(viewer, project)).map((project) => project.slug))
    const withQuery = (changes: Record<string, string | number | undefined>) => listUrl(fastify.prefix, { ...query, ...changes })
    return renderPage(reply, 'tasks/list', {
      title: 'Tasks',
      query,
      page,
      projects,
      statuses: TASK_STATUSES,
      sortFields: TASK_SORT_FIELDS,
      sortOrders: SORT_ORDERS,
      ...TASK_LABELS,
      // A task outside projects is its creator's (or seen by an administrator): whoever sees it may change it.
      mayChange: (project: string | null) => project === null || writable.has(project),
      back: request.url,
      previous: query.offset > 0 ? withQuery({ offset: Math.max(0, query.offset - query.limit) }) : null,
      next: page.hasMore ? withQuery({ offset: query.offset + query.limit }) : null
    })
  })
}

// The links the page makes name the parameters in this order, and leave out those at their defaults.
const PARAMETERS = ['q', 'status', 'priority', 'project', 'overdue', 'due_after', 'due_before', 'updated_since', 'include_deleted', 'sort_by', 'sort_order', 'limit', 'offset'] as const satisfies ReadonlyArray<keyof TaskListQuery>
// Every parameter of the list but the API's cursor is one: a filter the API
// gains fails to compile here until it is added above, not dropped by the
// next page's link.
type Nothing<Left extends never> = Left
type _UnlinkedParameters = Nothing<Exclude<keyof TaskListQuery, 'cursor' | typeof PARAMETERS[number]>>
const DEFAULTS: Record<string, unknown> = { offset: 0, limit: 20, sort_by: 'created_at', sort_order: 'desc', include_deleted: false }

/** The list's URL for these parameters. */
function listUrl (path: string, query: Record<string, unknown>): string {
  const parameters = new URLSearchParams()
  for (const name of PARAMETERS) {
    const value = query[name]
    if (value !== undefined && value !== DEFAULTS[name]) parameters.set(name, String(value))
  }
  const search = parameters.toString()
  return `${path}${search === '' ? '' : `?${search}`}`
}

const dropEmptyParameters: preValidationAsyncHookHandler = async (request) => {
  const query = request.query as Record<string, unknown>
  for (const name of Object.keys(query)) {
    if (query[name] === '') delete query[name]
  }
}

export default listTasksPage
