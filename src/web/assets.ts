import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { extname, basename } from 'node:path'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { WEB_ASSETS_FOLDER } from '../project-files.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The URL of a file of public/web (`app.css`), under its content-hashed name. */
    assetUrl (file: string): string
  }
}

const ASSETS_PATH = '/assets'

/**
 * The pages' static files, each served under a name that holds a hash of
 * its content (`app.1f0c2b3d4e5a.css`) and cached by browsers for a year
 * without asking again: a changed file has a new name, so a page never gets
 * an old one. The names are made once, at start-up.
 */
async function assets (fastify: FastifyInstance) {
  const hashed = new Map<string, string>()
  const urls = new Map<string, string>()
  for (const file of await readdir(WEB_ASSETS_FOLDER)) {
    const hash = createHash('sha256').update(await readFile(`${WEB_ASSETS_FOLDER}/${file}`)).digest('hex').slice(0, 12)
    const name = `${basename(file, extname(file))}.${hash}${extname(file)}`
    hashed.set(name, file)
    urls.set(file, `${fastify.prefix}${ASSETS_PATH}/${name}`)
  }
  fastify.decorate('assetUrl', (file: string) => {
    const url = urls.get(file)
    /* c8 ignore next -- a template that names a file public/web lacks fails every test that renders it */
    if (url === undefined) throw new Error(`public/web has no ${file}`)
    return url
  })

  await fastify.register(fastifyStatic, { root: WEB_ASSETS_FOLDER, serve: false })
  fastify.get<{ Params: { name: string } }>(`${ASSETS_PATH}/:name`, {
    config: { access: 'public', signedOut: true },
    schema: { hide: true }
  }, async (request, reply) => {
    const file = hashed.get(request.params.name)
    if (file === undefined) return reply.callNotFound()
    return reply.sendFile(file, { maxAge: 365 * 24 * 60 * 60 * 1000, immutable: true })
  })
}

export default fp(assets, { name: 'web-assets' })
