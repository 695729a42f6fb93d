import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { parse, type HTMLElement } from 'node-html-parser'

/** A page as a visitor got it: the response, and its HTML parsed when it is a page. */
export interface VisitedPage {
  status: number
  headers: LightMyRequestResponse['headers']
  /** Where a redirect sends to. */
  location: string | undefined
  body: string
  html: HTMLElement
  /** The text of the first element the selector matches, its whitespace collapsed ('' when none does). */
  text: (selector: string) => string
  /** The value a form field of the page holds: an input's value, a textarea's text, a select's chosen option. */
  value: (name: string) => string | undefined
  /** The messages of the error summary at the top of a form. */
  errorSummary: () => string[]
}

/**
 * Someone using the web pages through `inject`, as a browser would: the
 * session cookie is kept from one request to the next, and a form is sent
 * with the CSRF token of the last page seen (unless the test says otherwise).
 */
export class PageVisitor {
  /** The session cookie, `name=value`, as the server last set it. */
  cookie: string | undefined
  /** The CSRF token of the last page that had a form. */
  csrf: string | undefined

  constructor (private readonly app: FastifyInstance, private readonly headers: Record<string, string> = {}) {}

  async get (url: string): Promise<VisitedPage> {
    return this.visit(await this.app.inject({ method: 'GET', url, headers: this.requestHeaders() }))
  }

  /** POSTs a form (urlencoded), with `_csrf` set to the last page's token unless `fields` sets it. */
  async post (url: string, fields: Record<string, string> = {}): Promise<VisitedPage> {
    const form = new URLSearchParams({ ...(this.csrf === undefined ? {} : { _csrf: this.csrf }), ...fields })
    return this.visit(await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.requestHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString()
    }))
  }

  /** GETs a page, then sends its form (the one whose action is `action`) with its own values changed by `changes`. */
  async submit (url: string, action: string, changes: Record<string, string>): Promise<VisitedPage> {
    const page = await this.get(url)
    const form = page.html.querySelectorAll('form').find((candidate) => candidate.getAttribute('action') === action)
    if (form === undefined) throw new Error(`${url} has no form to ${action}: ${page.status} ${page.body.slice(0, 500)}`)
    return this.post(action, { ...formValues(form), ...changes })
  }

  private requestHeaders (): Record<string, string> {
    return { ...this.headers, ...(this.cookie === undefined ? {} : { cookie: this.cookie }) }
  }

  private visit (response: LightMyRequestResponse): VisitedPage {
    const setCookie = [response.headers['set-cookie'] ?? []].flat()
    for (const cookie of setCookie) this.cookie = cookie.split(';')[0]
    const html = parse(response.body)
    const csrf = html.querySelector('input[name=_csrf]')?.getAttribute('value')
    if (csrf !== undefined && csrf !== '') this.csrf = csrf
    const location = response.headers.location
    return {
      status: response.statusCode,
      headers: response.headers,
      location: typeof location === 'string' ? location : undefined,
      body: response.body,
      html,
      text: (selector) => html.querySelector(selector)?.textContent.replace(/\s+/g, ' ').trim() ?? '',
      value: (name) => fieldValue(html, name),
      errorSummary: () => html.querySelectorAll('.error-summary li').map((item) => item.textContent.trim())
    }
  }
}

function fieldValue (root: HTMLElement, name: string): string | undefined {
  const field = root.querySelector(`[name="${name}"]`)
  if (field === null) return undefined
  switch (field.tagName) {
    case 'TEXTAREA':
      return field.textContent
    case 'SELECT':
      return (field.querySelector('option[selected]') ?? field.querySelector('option'))?.getAttribute('value')
    default:
      return field.getAttribute('value') ?? ''
  }
}

/** What a form would send as it stands (its inputs, textareas and selects; unchecked checkboxes left out). */
function formValues (form: HTMLElement): Record<string, string> {
  const values: Record<string, string> = {}
  for (const field of form.querySelectorAll('input, textarea, select')) {
    const name = field.getAttribute('name')
    if (name === undefined) continue
    if (field.getAttribute('type') === 'checkbox' && !field.hasAttribute('checked')) continue
    const value = fieldValue(form, name)
    if (value !== undefined) values[name] = value
  }
  return values
}
