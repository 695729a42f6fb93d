import type { WriteRefusal } from '../../db/database.js'
import { ProblemError } from '../../problems/problem-error.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'

/** The problem for a task id that does not exist, was soft-deleted, or that the caller may not see. */
export function taskNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Task ${id} was not found.`)
}

/** The problem for a write to task `id` (or a create) that the repository refused. */
export function refusalProblem (refusal: WriteRefusal, id?: number): ProblemError {
  switch (refusal) {
    case 'not-found':
      return taskNotFound(id as number)
    case 'forbidden':
      return new ProblemError('forbidden', `You can see task ${id} but not change it: you are a viewer of its project.`)
    case 'project-not-found':
      return bodyFieldProblem('project', 'is not a project you can see')
    case 'project-forbidden':
      return new ProblemError('forbidden', 'Putting a task in a project, or taking it out of one, needs editor rights in that project; you are a viewer.')
    case 'precondition-failed':
      return new ProblemError('precondition-failed', `Task ${id} has changed: its current ETag matches no tag in If-Match. Read it again, then retry with its new ETag.`)
  }
}
