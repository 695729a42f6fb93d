import Fastify from 'fastify'

// The ceiling: the least a Fastify route can do on this machine. One route,
// a constant small JSON object, no logging, no hooks.
const app = Fastify()
app.get('/', async () => ({ hello: 'world' }))
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
console.log(address)
