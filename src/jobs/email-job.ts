import { createTransport } from 'nodemailer'
import type { JobHandler } from './job-worker.js'
import { renderTaskEmail } from './task-email.js'
import type { TaskNotification } from './task-notification.js'

export interface EmailSettings {
  /** SMTP_URL: `smtp://` or `smtps://` (user and password in it, if any); empty: emails are skipped. */
  smtpUrl: string
  /** MAIL_FROM: the sender of every email. */
  from: string
  /** PUBLIC_URL: where the API is reached, for the link to the task. */
  publicUrl: string
}

// An SMTP server that does not answer fails the attempt well inside its lease.
const SMTP_TIMEOUT_MS = 10_000

/**
 * Sends a notification email through SMTP (one connection per email:
 * notifications are few, and a pool would hold connections open between
 * them). Without SMTP_URL it is skipped, never failed.
 */
export function emailJob ({ smtpUrl, from, publicUrl }: EmailSettings): JobHandler {
  const transport = smtpUrl === ''
    ? undefined
    : createTransport({ url: smtpUrl, connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS })
  // A base that ends in `/`, so that a PUBLIC_URL with a path keeps it.
  const base = publicUrl.replace(/\/?$/, '/')
  return async (job) => {
    if (transport === undefined) return { state: 'skipped', reason: 'SMTP_URL is not set: no email was sent' }
    const notification = job.payload as TaskNotification
    const email = renderTaskEmail(notification, new URL(`tasks/${notification.task.id}`, base).href)
    await transport.sendMail({ from, to: notification.to, ...email })
    return { state: 'done' }
  }
}
