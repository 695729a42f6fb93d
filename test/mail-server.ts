import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface MailServer {
  /** SMTP_URL for the app. */
  url: string
  /** Every email accepted so far, parsed. */
  received: ParsedMail[]
  /** How many times a message was offered (accepted or refused). */
  offers: () => number
  /** Resolves once `count` emails have been accepted. */
  receivedCount: (count: number) => Promise<ParsedMail[]>
}

/**
 * A real SMTP server on this machine, for the tests: it accepts every email
 * (no authentication, no TLS) and parses it, after refusing the first
 * `refuseFirst` with a temporary 451; it answers none before `hold`
 * resolves. Closed when the test ends.
 */
export async function startMailServer (t: Test, { refuseFirst = 0, hold = Promise.resolve() }: { refuseFirst?: number, hold?: Promise<void> } = {}): Promise<MailServer> {
  const received: ParsedMail[] = []
  const waiting: Array<{ count: number, resolve: (mails: ParsedMail[]) => void }> = []
  let offers = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, _session, callback) {
      offers++
      if (offers <= refuseFirst) {
        stream.resume()
        stream.on('end', () => callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 })))
        return
      }
      Promise.all([simpleParser(stream), hold]).then(([mail]) => {
        received.push(mail)
        callback()
        for (const waiter of waiting.filter(({ count }) => received.length >= count)) waiter.resolve(received.slice())
      }, callback)
    }
  })
  // A client killed mid-conversation (a server under SIGKILL) resets its
  // connection: the SMTP server reports it, and goes on serving others.
  server.on('error', () => {})
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    offers: () => offers,
    receivedCount: async (count) => received.length >= count ? received.slice() : new Promise((resolve) => waiting.push({ count, resolve }))
  }
}
