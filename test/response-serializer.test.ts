import t from 'tap'
import { buildResponseSerializer } from '../src/response-serializer.js'

const problem = { $id: 'Problem', type: 'object', properties: { title: { type: 'string' } } }

t.test('each distinct response schema is compiled once and serializes by its schema', async (t) => {
  const compile = buildResponseSerializer({ Problem: problem }, {})
  const asProblem = { $ref: 'Problem#' }
  const first = compile({ method: 'GET', url: '/a', httpStatus: '404', schema: asProblem })
  const again = compile({ method: 'POST', url: '/b', httpStatus: '422', schema: { $ref: 'Problem#' } })
  const other = compile({ method: 'GET', url: '/a', httpStatus: '200', schema: { type: 'object', properties: { id: { type: 'integer' } } } })
  t.equal(again, first, 'the same schema on another route reuses the serializer')
  t.not(other, first)
  t.equal(first({ title: 'Not found', secret: 'x' }), '{"title":"Not found"}')
  t.equal(other({ id: 7, title: 'x' }), '{"id":7}')
})
