import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { shownUser } from '../../db/user-repository.js'
import { problemResponses } from '../../problems/problem-responses.js'
import { PageQuery } from '../../schemas/page.js'
import { Ref } from '../../schemas/type-helpers.js'
import { UserList } from '../../schemas/user.js'
import { keyedPageBody, keyedPageRequest, refuseCursorWithOffset } from '../paging.js'

const listUsers: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', {
    config: { access: 'users:admin' },
    preValidation: refuseCursorWithOffset,
    schema: {
      operationId: 'listUsers',
      summary: 'List users',
      description: 'Every user, by username, a page at a time (by `offset` or `cursor`, as tasks are).',
      tags: ['Administration'],
      querystring: PageQuery,
      response: {
        200: Ref(UserList, {
          description: 'One page of users.',
          headers: { Link: Type.String({ description: 'RFC 8288 link to the next page; absent on the last page.' }) }
        }),
        ...problemResponses('validation', 'rate-limited')
      }
    }
  }, async (request, reply) => {
    const users = await fastify.db.users.list(keyedPageRequest(request.query, 'users'))
    return keyedPageBody(request, reply, request.query, 'users', { ...users, items: users.items.map(shownUser) }, (user) => user.username)
  })
}

export default listUsers
