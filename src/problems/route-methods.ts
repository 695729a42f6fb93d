import FindMyWay, { type HTTPMethod } from 'find-my-way'

/**
 * Which methods each registered route answers, so that a request with the
 * wrong method gets 405 and an Allow header rather than 404.
 */
export class RouteMethods {
  readonly #router = FindMyWay({ ignoreTrailingSlash: true })
  readonly #methods = new Set<HTTPMethod>()

  add (methods: string | string[], url: string): void {
    for (const method of [methods].flat() as HTTPMethod[]) {
      this.#router.on(method, url, noop)
      this.#methods.add(method)
    }
  }

  allowedFor (path: string): HTTPMethod[] {
    return [...this.#methods].filter((method) => this.#router.find(method, path) !== null).sort()
  }
}

// Only whether a route matches matters; its handler is never called.
/* c8 ignore next */
function noop (): void {}
