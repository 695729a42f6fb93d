import { formText } from './form-text.js'
import { WEB_PREFIX } from './web-prefix.js'

const BASE = 'http://this.server'

/**
 * `sent` when it is the address of one of this site's pages (a path, with
 * its query); `fallback` otherwise. Never another site: the value came from
 * the person (a form field, a link), who may have been handed a crafted one.
 */
export function pageUrl (sent: string, fallback: string): string {
  if (!sent.startsWith('/') || sent.includes('\\')) return fallback
  const url = new URL(sent, BASE)
  return url.origin === BASE && url.pathname.startsWith(`${WEB_PREFIX}/`) ? `${url.pathname}${url.search}` : fallback
}

/** Where a form says to go back to once it is done (its `back` field: the list the person came from, with its filters). */
export function backUrl (body: unknown, fallback: string): string {
  return pageUrl(formText(body, 'back'), fallback)
}
