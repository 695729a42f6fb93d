import type { WebhookRefusal } from '../../db/webhook-repository.js'
import { ProblemError } from '../../problems/problem-error.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { WEBHOOKS_PER_PROJECT_MAX } from '../../schemas/webhook.js'

export function webhookNotFound (id: number): ProblemError {
  return new ProblemError('not-found', `Webhook ${id} was not found.`)
}

export function webhookRefusalProblem (refusal: WebhookRefusal, project: string | null): ProblemError {
  if (refusal === 'project-not-found') return bodyFieldProblem('project', 'is not a project you can see')
  if (refusal === 'limit-reached') {
    return new ProblemError('webhook-limit-reached', `${project === null ? 'There are as many webhooks of every task' : `Project ${project} has as many webhooks`} as there may be (${WEBHOOKS_PER_PROJECT_MAX}); delete one first.`)
  }
  return project === null
    ? new ProblemError('forbidden', 'Only administrators may create a webhook of every task: name a project you own.')
    : new ProblemError('forbidden', `Only an owner of project ${project} (or an administrator) may manage its webhooks.`)
}
