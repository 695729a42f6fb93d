import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { packageVersion } from '../../package-info.js'
import { SCOPES } from '../../schemas/token.js'

export interface OpenApiOptions {
  /** AUTH: with `off`, the document says that no token is needed. */
  mode: 'on' | 'off'
}

/**
 * Builds the OpenAPI document from the route schemas. Shared schemas become
 * components named after their `$id`, so generated clients get named types.
 * Each operation's security (its scope, by either scheme) is added to its
 * schema by the authentication plugin.
 */
async function openApi (fastify: FastifyInstance, { mode }: OpenApiOptions) {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Task API',
        version: packageVersion,
        description: `Create, list, search, update, soft-delete and restore tasks, in projects shared with other users. Every error is RFC 9457 problem details. ${mode === 'on'
          ? 'Every operation but signing in needs a bearer token: use "Authorize" to sign in.'
          : 'This server runs with AUTH=off: a request without a token acts as the built-in local administrator; a token, when sent, is checked.'}`
      },
      tags: [
        { name: 'Tasks', description: 'Task management' },
        { name: 'Attachments', description: 'Files attached to tasks: uploaded, listed, downloaded and removed' },
        { name: 'Projects', description: 'Projects, their members and roles' },
        { name: 'Authentication', description: 'Signing in: access and refresh tokens' },
        { name: 'Users', description: 'Registration, your account and your personal access tokens' },
        { name: 'Administration', description: 'Managing users and the job queue (scope users:admin)' },
        { name: 'Live', description: 'Task changes as they happen: a server-sent event stream you can resume' },
        { name: 'Webhooks', description: 'Task events sent, signed, to your URLs; and signed requests from other systems' },
        { name: 'Weather', description: 'The weather at a place, and where and when a task happens, from Open-Meteo through a cache' },
        { name: 'Health', description: 'Service health' }
      ],
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            description: 'Sign in with a username and password (RFC 6749 password grant) for a short-lived JWT access token and a refresh token.',
            flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: { ...SCOPES } } }
          },
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A personal access token (`tapi_pat_...`, from POST /users/me/tokens), or an access token.'
          }
        }
      }
    },
    // Ajv fills in a query parameter's default, so the route schema lists it as
    // required; to a client, a parameter with a default is optional.
    transform: ({ schema, url }) => {
      const query = schema?.querystring as { required?: string[], properties?: Record<string, { default?: unknown }> } | undefined
      if (query?.required === undefined) return { schema, url }
      const required = query.required.filter((name) => query.properties?.[name]?.default === undefined)
      return { schema: { ...schema, querystring: { ...query, required } }, url }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => typeof json.$id === 'string' ? json.$id : `def-${index}`
    }
  })
}

export default fp(openApi, { name: 'openapi' })
