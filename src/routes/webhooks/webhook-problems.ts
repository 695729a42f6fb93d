import type { WebhookRefusal } from '../../db/webhook-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'

export function webhookNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Webhook ${id} was not found.`)
}

export function webhookRefusalProblem (refusal: WebhookRefusal, project: string | null): ProblemError {
  if (refusal === 'project-not-found') return bodyFieldProblem('project', 'is not a project you can see')
  return project === null
    ? new ProblemError('forbidden', 'Only administrators may create a webhook of every task: name a project you own.')
    : new ProblemError('forbidden', `Only an owner of project ${project} (or an administrator) may manage its webhooks.`)
}
