import { ProblemError } from '../../problems/problem-error.js'

/** The problem for an attachment that does not exist, or whose task is deleted or not one the caller may see. */
export function attachmentNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Attachment ${id} was not found.`)
}

/** The problem for removing an attachment of a task the caller may see but not change. */
export function attachmentForbidden (id: number): ProblemError {
  return new ProblemError('forbidden', `You can see attachment ${id} but not remove it: you are a viewer of its task's project.`)
}
