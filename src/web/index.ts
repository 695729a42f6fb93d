import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import formBody from '@fastify/formbody'
import csrfPlugin from '../plugins/external/csrf-protection.js'
import flashPlugin from '../plugins/external/flash.js'
import helmetPlugin from '../plugins/external/helmet.js'
import sessionPlugin from '../plugins/external/secure-session.js'
import viewPlugin from '../plugins/external/view.js'
import accountPages from './account/index.js'
import assetsPlugin from './assets.js'
import pageErrorsPlugin from './page-errors.js'
import pageSessionPlugin from './page-session.js'
import projectPages from './projects/index.js'
import taskPages from './tasks/index.js'
import { WEB_PREFIX } from './web-prefix.js'

export interface WebOptions {
  /** AUTH: with `off`, the pages act as the built-in local user and there is nobody to sign in. */
  mode: 'on' | 'off'
  /** REGISTRATION: with `open`, anyone may sign up. */
  registration: 'admin' | 'open'
  /** SESSION_SECRET */
  sessionSecret: string
  /** SESSION_TTL_SECONDS */
  sessionTtlSeconds: number
}

/**
 * The web pages for people: HTML rendered on the server from the same
 * repositories, with the same rules, as the JSON API, which they leave as it
 * is. Everything here is scoped to these pages: the session cookie, CSRF
 * tokens, flash messages, the Content-Security-Policy, HTML error pages.
 * Each page route is `public` to the API's bearer check (and hidden from the
 * OpenAPI document): who is asking comes from the session instead. `/`
 * and `/web` lead to the task list.
 */
const web: FastifyPluginAsync<WebOptions> = async (fastify, options) => {
  const toTasks = async (_request: FastifyRequest, reply: FastifyReply) => reply.redirect(`${WEB_PREFIX}/tasks`, 303)
  fastify.get('/', { config: { access: 'public' }, schema: { hide: true } }, toTasks)

  await fastify.register(async (pages) => {
    await pages.register(helmetPlugin)
    await pages.register(formBody)
    await pages.register(sessionPlugin, { secret: options.sessionSecret, ttlSeconds: options.sessionTtlSeconds })
    await pages.register(csrfPlugin)
    await pages.register(flashPlugin)
    await pages.register(viewPlugin)
    await pages.register(assetsPlugin)
    await pages.register(pageErrorsPlugin)
    await pages.register(pageSessionPlugin, { mode: options.mode })
    pages.get('/', { config: { access: 'public' }, schema: { hide: true } }, toTasks)
    if (options.mode === 'on') await pages.register(accountPages, { registration: options.registration })
    await pages.register(taskPages, { prefix: '/tasks' })
    await pages.register(projectPages, { prefix: '/projects' })
  }, { prefix: WEB_PREFIX })
}

export default web
