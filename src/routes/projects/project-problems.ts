import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ProjectLookup, ProjectRefusal } from '../../db/project-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { versionPrefix } from '../../api-versions.js'

/** The 308 a renamed project's old slug answers with, for the OpenAPI document. */
export const movedResponse = Type.Null({
  description: 'The project was renamed: the same request goes to the URL in Location, with its new slug.',
  headers: { Location: Type.String({ description: 'The same URL with the project\'s new slug.' }) }
})

/**
 * The answer for a slug that names no project the caller can see, given
 * what `find` says of it: a 308 redirect when it is the old slug of one they
 * can see (renamed since), otherwise a 404 problem.
 */
export function redirectOrNotFound (request: FastifyRequest, reply: FastifyReply, slug: string, found: ProjectLookup | undefined): FastifyReply {
  if (found === undefined || !('movedTo' in found)) throw projectNotFound(slug)
  // The URL as asked, with the new slug in the old one's segment (which may
  // have come percent-encoded): [/v2]/projects/{slug}/...?query
  const queryStart = request.url.indexOf('?')
  const [path, query] = queryStart === -1 ? [request.url, ''] : [request.url.slice(0, queryStart), request.url.slice(queryStart)]
  const segments = path.split('/')
  segments[2] = found.movedTo
  return reply.code(308).header('location', versionPrefix(request) + segments.join('/') + query).send()
}

export function projectNotFound (slug: string): ProblemError {
  return new ProblemError('not-found', `Project ${slug} was not found.`)
}

/** The problem for a refused change to a project or its members. */
export function projectRefusalProblem (refusal: Exclude<ProjectRefusal, 'not-found'>, slug: string, username?: string): ProblemError {
  switch (refusal) {
    case 'forbidden':
      return new ProblemError('forbidden', `Only an owner of project ${slug} (or an administrator) may do this.`)
    case 'slug-taken':
      return new ProblemError('already-exists', 'Another project already has this slug.', [{ pointer: '#/slug', detail: 'is taken' }])
    case 'not-empty':
      return new ProblemError('project-not-empty', `Project ${slug} still holds tasks that are not deleted: move or delete them first.`)
    case 'user-not-found':
      return new ProblemError('not-found', `User ${username} was not found.`)
    case 'member-not-found':
      return new ProblemError('not-found', `${username} is not a member of project ${slug}.`)
    case 'last-owner':
      return new ProblemError('last-owner', `${username} is the last owner of project ${slug}: make someone else an owner first.`)
  }
}
