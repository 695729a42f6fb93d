import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LOCAL_PRINCIPAL } from '../../auth/principal.js'
import { ProblemError } from '../../problems/problem-error.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { InboundTask } from '../../schemas/inbound.js'
import { TaskCreate } from '../../schemas/task.js'
import { Ref } from '../../schemas/type-helpers.js'
import { checkSignature, SIGNATURE_TOLERANCE_SECONDS, type SignatureRefusal, type SignedHeaders } from '../../webhooks/signatures.js'
import { TaskResponse } from '../tasks/conditional-requests.js'
import { bodyFieldProblem } from '../../problems/validation-problem.js'
import type { WriteRefusal } from '../../db/database.js'
import { refuseUnreadableDueAt } from '../tasks/due-time.js'
import { refusalProblem } from '../tasks/task-problems.js'
import { taskLocation } from '../tasks/task-location.js'

export interface InboundOptions {
  /** INBOUND_WEBHOOK_SECRET */
  secret: string
}

const REFUSALS: Record<SignatureRefusal, string> = {
  missing: 'The request is not signed: send X-Signature-256 (sha256= and the hex HMAC-SHA256 of the body), or the Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature.',
  mismatch: 'The signature does not match the body as received.',
  stale: `The signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now: a replay, or a clock too far off.`
}

/**
 * Checks the signature over the body's exact bytes, before any of it is
 * parsed; only then is it read as JSON, and the request acts as the built-in
 * administrator. Nothing of a refused body is logged or answered.
 */
async function verified (secret: string, request: FastifyRequest): Promise<void> {
  const raw = request.body as Buffer
  const refusal = checkSignature(secret, request.headers as SignedHeaders, raw, Math.floor(Date.now() / 1000))
  if (refusal !== undefined) throw new ProblemError('invalid-signature', REFUSALS[refusal])
  let body: { task?: { title?: unknown } } | null
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ProblemError('malformed-json', 'The body is signed but is not valid JSON.')
  }
  // A title is trimmed before it is checked, as POST /tasks and PATCH trim theirs.
  if (typeof body?.task?.title === 'string') body.task.title = body.task.title.trim()
  request.body = body
  request.principal = LOCAL_PRINCIPAL
}

/** A write's refusal as a problem; the task's fields are under `task` here. */
function inboundRefusal (refusal: WriteRefusal, id?: number): ProblemError {
  return refusal === 'project-not-found' ? bodyFieldProblem('task/project', 'is not a project') : refusalProblem(refusal, id)
}

const upsertTask: FastifyPluginAsyncTypebox<InboundOptions> = async (fastify, { secret }) => {
  // The body is kept as the bytes received: the signature is over them.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  fastify.post('/tasks', {
    config: { access: 'public' },
    preValidation: async (request) => verified(secret, request),
    schema: {
      operationId: 'receiveTaskWebhook',
      summary: 'Create or change a task from a signed webhook',
      description: 'For other systems (CI, a form, another tracker): creates a task (no `task_id`) or changes one, as the built-in administrator `local`. Signed with INBOUND_WEBHOOK_SECRET, over the exact bytes of the body: `X-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, or the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`). A missing or wrong signature, or a `sent_at` (or `webhook-timestamp`) more than 5 minutes from now, is a 401. The same `delivery_id` again is processed once: the first answer is sent again, with `Idempotent-Replayed: true`. Off (404) unless INBOUND_WEBHOOK_SECRET is set.',
      tags: ['Webhooks'],
      body: Ref(InboundTask),
      response: {
        200: TaskResponse('The task after the change.'),
        201: TaskResponse('The task created.'),
        ...problemResponses('malformed-json', 'bad-request', 'invalid-signature', 'not-found', 'idempotency-key-in-use', 'payload-too-large', 'unsupported-media-type', 'validation', 'idempotency-key-reused', 'rate-limited')
      }
    }
  }, async (request, reply: FastifyReply) => {
    const { delivery_id: deliveryId, sent_at: sentAt, task_id: id, task } = request.body
    if (Math.abs(Date.now() - Date.parse(sentAt)) > SIGNATURE_TOLERANCE_SECONDS * 1000) {
      throw new ProblemError('invalid-signature', REFUSALS.stale.replace('The signature\'s timestamp', '`sent_at`'))
    }
    refuseUnreadableDueAt(task, 'task/due_at')
    const key = `inbound ${deliveryId}`
    if (id === undefined) {
      const { title } = task
      if (title === undefined) throw bodyFieldProblem('task/title', 'is required to create a task (1-200 characters)')
      return fastify.idempotency.respond(request, reply, { status: 201, location: taskLocation }, async (respond) => {
        const created = await fastify.db.tasks.create(LOCAL_PRINCIPAL, { ...task, title } as TaskCreate, { respond })
        if (typeof created === 'string') throw inboundRefusal(created)
        return created
      }, key)
    }
    return fastify.idempotency.respond(request, reply, { status: 200 }, async (respond) => {
      const changed = await fastify.db.tasks.update(LOCAL_PRINCIPAL, id, task, { respond })
      if (typeof changed === 'string') throw inboundRefusal(changed, id)
      return changed
    }, key)
  })
}

export default upsertTask
