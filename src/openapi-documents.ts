import { CURRENT_VERSION, V1_DEPRECATED_AT, V1_RESOURCE, V1_SUNSET_AT } from './api-versions.js'

type Json = Record<string, any>

/** The OpenAPI documents served: the current contract's (unprefixed paths), and one per version. */
export interface VersionDocuments {
  current: Json
  v1: Json
  v2: Json
}

const V1_ROUTE_PREFIX = '/v1/'

// The headers every version 1 response carries (src/plugins/app/deprecation.ts).
const V1_HEADERS = {
  Deprecation: { description: 'RFC 9745: version 1 is deprecated, since this date (a structured-field date, `@` and seconds since the epoch).', schema: { type: 'string' } },
  Sunset: { description: 'RFC 8594: when version 1 goes away (an HTTP date).', schema: { type: 'string' } },
  Link: { description: 'RFC 8288: `<...>; rel="successor-version"`, the same resource in version 2 (and the next page of a list, when there is one).', schema: { type: 'string' } }
}

/**
 * Splits the document @fastify/swagger makes of every route into the
 * documents served. The current one has the unprefixed paths: every route
 * but version 1's own. Version 2's is the same contract with `/v2` as its
 * server. Version 1's has the task resource's paths, its list from its own
 * route (a bare array), every operation deprecated and its responses'
 * deprecation headers, with `/v1` as its server.
 */
export function versionDocuments (generated: Json): VersionDocuments {
  const all = structuredClone(generated)
  const paths = all.paths as Json
  const current: Json = { ...all, paths: Object.fromEntries(Object.entries(paths).filter(([path]) => !path.startsWith(V1_ROUTE_PREFIX))) }
  const v2 = {
    ...current,
    info: { ...current.info, title: `${String(current.info.title)}, version 2`, version: `2 (${String(current.info.version)})` },
    servers: [{ url: `/${CURRENT_VERSION}`, description: 'Version 2, the current contract, which also answers at the unprefixed paths.' }]
  }

  const v1Paths: Json = {}
  for (const [path, operations] of Object.entries<Json>(current.paths)) {
    if (path !== V1_RESOURCE && !path.startsWith(`${V1_RESOURCE}/`)) continue
    v1Paths[path] = structuredClone(operations)
  }
  const ownList = paths[`/v1${V1_RESOURCE}`] as Json
  v1Paths[V1_RESOURCE] = { ...v1Paths[V1_RESOURCE], ...ownList }
  for (const operations of Object.values<Json>(v1Paths)) {
    for (const operation of Object.values<Json>(operations)) {
      operation.deprecated = true
      for (const response of Object.values<Json>(operation.responses)) response.headers = { ...V1_HEADERS, ...response.headers }
    }
  }
  const usedTags = new Set(Object.values<Json>(v1Paths).flatMap((operations) => Object.values<Json>(operations).flatMap((operation) => operation.tags as string[])))
  const v1 = {
    ...current,
    info: {
      ...current.info,
      title: `${String(current.info.title)}, version 1 (deprecated)`,
      version: '1',
      description: `The task resource as version 1 had it, for the clients written for it: its list is a bare JSON array; its other operations are version 2's. Deprecated since ${new Date(V1_DEPRECATED_AT).toISOString().slice(0, 10)}, gone after ${new Date(V1_SUNSET_AT).toISOString().slice(0, 10)}: move to version 2 (/v2/openapi.json), whose list is a page with \`items\`, \`total\`, \`has_more\` and \`next_cursor\`.`
    },
    servers: [{ url: '/v1', description: 'Version 1 (deprecated).' }],
    tags: (current.tags as Json[]).filter((tag) => usedTags.has(tag.name)),
    paths: v1Paths
  }
  return { current, v1, v2 }
}
