import { bodyFieldProblem } from '../../problems/validation-problem.js'
import { refusedHost } from '../../webhooks/address-policy.js'

/**
 * Refuses, as a 422 naming `url`, a webhook URL that is not http(s), holds a
 * user or password (it would show in every listing), or whose host is or
 * resolves to an address webhooks may not reach (unless `allowPrivate`).
 * Deliveries check the address again, as they connect.
 */
export async function checkWebhookUrl (text: string, allowPrivate: boolean): Promise<void> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw bodyFieldProblem('url', 'is not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bodyFieldProblem('url', 'must be an http or https URL')
  if (url.username !== '' || url.password !== '') throw bodyFieldProblem('url', 'must not hold a user or password: check the webhook-signature header instead')
  if (allowPrivate) return
  const refused = await refusedHost(url)
  if (refused !== undefined) throw bodyFieldProblem('url', `is refused: ${refused}`)
}
