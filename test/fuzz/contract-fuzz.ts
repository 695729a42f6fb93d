/**
 * Contract fuzzing: requests generated from the OpenAPI document (valid ones
 * from its schemas, and every kind of invalid one) are sent to every
 * operation, and every response is checked against what the document
 * promises for that operation. Shared by the tap test (fixed seed, bounded)
 * and `npm run fuzz` (random seed, more runs).
 */
import fc from 'fast-check'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

/* ------------------------------------------------------------------------ */
/* The OpenAPI document                                                      */
/* ------------------------------------------------------------------------ */

// JSON Schema and OpenAPI objects are walked generically.
type Schema = Record<string, any>

export interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, Schema>>
  components: { schemas: Record<string, Schema> }
}

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema: Schema
}

interface ResponseObject {
  description: string
  headers?: Record<string, { schema: Schema }>
  content?: Record<string, { schema: Schema }>
}

/** One operation of the document, as the fuzzer needs it. */
export interface Operation {
  operationId: string
  /** Upper case: GET, POST... */
  method: string
  /** The path template, e.g. `/tasks/{task_id}`. */
  path: string
  parameters: Parameter[]
  /** The JSON schema of the request body, when the operation has one. */
  bodySchema: Schema | undefined
  responses: Record<string, ResponseObject>
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** The operations of the document, in document order. */
export function operationsOf (document: OpenApiDocument): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue
      operations.push({
        operationId: operation.operationId ?? `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: [...((item.parameters ?? []) as Parameter[]), ...((operation.parameters ?? []) as Parameter[])],
        bodySchema: operation.requestBody?.content?.['application/json']?.schema,
        responses: operation.responses ?? {}
      })
    }
  }
  return operations
}

/* ------------------------------------------------------------------------ */
/* JSON bodies as text                                                       */
/* ------------------------------------------------------------------------ */

/**
 * An object as a list of members, so that a body can hold what a JS object
 * cannot: duplicate keys, and `__proto__` as an ordinary member.
 */
export class JsonObject {
  constructor (readonly entries: ReadonlyArray<readonly [string, JsonNode]>) {}
}

/** A token written as is: numbers JSON can spell but JS cannot hold (1e400, -0, 1.0). */
export class RawJson {
  constructor (readonly text: string) {}
}

export type JsonNode = null | boolean | number | string | JsonNode[] | JsonObject | RawJson

/** JSON text of a node. Lone surrogates in strings come out as `\udXXX` escapes. */
export function jsonText (node: JsonNode): string {
  if (node instanceof RawJson) return node.text
  if (node instanceof JsonObject) return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`).join(',')}}`
  if (Array.isArray(node)) return `[${node.map(jsonText).join(',')}]`
  return JSON.stringify(node)
}

/** A plain JSON value (as fast-check generates them) as a node. */
function fromPlain (value: unknown): JsonNode {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (Array.isArray(value)) return value.map(fromPlain)
  if (typeof value === 'object') return new JsonObject(Object.entries(value).map(([key, member]) => [key, fromPlain(member)] as const))
  return null
}

function withMember (object: JsonNode, key: string, value: JsonNode | undefined): JsonNode {
  if (!(object instanceof JsonObject)) return object
  const entries = object.entries.filter(([name]) => name !== key)
  return new JsonObject(value === undefined ? entries : [...entries, [key, value]])
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */
/* ------------------------------------------------------------------------ */

// Characters that break naive code: NUL, lone surrogates, BOM, bidi override,
// line and paragraph separators, zero-width space, non-characters, astral.
const TRICKY_CHARACTERS = [
  '\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\udbff', '\udc00', '\udfff', '\ufeff', '\u202e', '\u2028', '\u2029',
  '\u200b', '\u00a0', '\ufffd', '\uffff', '\u{1f600}', '\u{10ffff}', ' ', '\t', '\n', '\r', '%', '_', '\\', '"', '\'', '<', '&', '?', '#', '/', 'é', 'ß', 'İ', 'K'
]
const trickyUnit = fc.oneof(fc.constantFrom(...TRICKY_CHARACTERS), fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)))

/** Strings of `min` to `max` code points, from plain ASCII to the tricky. */
function text (min = 0, max = 40): fc.Arbitrary<string> {
  const cap = Math.min(max, 5000)
  const arbitraries: fc.WeightedArbitrary<string>[] = [
    { weight: 5, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: cap }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: cap }) },
    { weight: 2, arbitrary: fc.string({ unit: trickyUnit, minLength: min, maxLength: cap }) }
  ]
  if (cap > 3) arbitraries.push({ weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: Math.max(min, cap - 2), maxLength: cap }) })
  return fc.oneof(...arbitraries)
}

// Printable ASCII and obs-text: what an HTTP/1.1 header value can carry.
const headerUnit = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constantFrom('\t', '\u00e9', '\u00ff', '\u0080') }
)
const headerText = (min = 0, max = 40) => fc.string({ unit: headerUnit, minLength: min, maxLength: max })

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is
 * sent as the three bytes UTF-8 would give it: bytes no UTF-8 decoder accepts.
 */
export function percentEncode (value: string): string {
  let encoded = ''
  for (const character of value) {
    const code = character.codePointAt(0) as number
    if (code >= 0xd800 && code <= 0xdfff) {
      encoded += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`).join('')
    } else {
      encoded += encodeURIComponent(character)
    }
  }
  return encoded
}

/* ------------------------------------------------------------------------ */
/* Values from schemas                                                       */
/* ------------------------------------------------------------------------ */

const MIN_DATE = Date.parse('0000-01-01T00:00:00Z')
const MAX_DATE = Date.parse('9999-12-31T23:59:59.999Z')

// Date-times the `date-time` format accepts in forms Date.parse may not.
const EDGE_DATE_TIMES = [
  '2016-12-31T23:59:60Z', '1970-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
  '2026-01-01t10:00:00z', '2026-01-01 10:00:00Z', '2026-01-01T10:00:00+02:00', '2026-01-01T10:00:00-23:59',
  '2026-01-01T10:00:00+0200', '2026-01-01T10:00:00+02', '2026-01-01T10:00:00.123456789Z', '2026-02-28T23:59:59.9999Z',
  '2024-02-29T12:00:00Z', '2026-01-01T00:00:00-00:00'
]
const BAD_DATE_TIMES = [
  '', 'now', 'yesterday', '2026-01-01', '10:00:00Z', '2026-01-01T10:00:00', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2025-12-31T23:59:60Z', '+002026-01-01T00:00:00Z', '2026-01-01T10:00:00+25:00',
  '1767261600000', '2026-01-01T10:00:00ZZ', '2026-1-1T1:0:0Z', '٢٠٢٦-01-01T00:00:00Z'
]

const dateTime = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: MIN_DATE, max: MAX_DATE }).map((ms) => new Date(ms).toISOString()) },
  { weight: 2, arbitrary: fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString()) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_DATE_TIMES) }
)

/** Values of JSON Schemas, valid and invalid, with `$ref`s resolved in the document. */
export class SchemaValues {
  constructor (private readonly document: OpenApiDocument) {}

  /** The schema a `$ref` points at (followed until there is none). */
  resolve (schema: Schema): Schema {
    let resolved = schema
    for (let hops = 0; typeof resolved.$ref === 'string' && hops < 10; hops++) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(resolved.$ref)?.[1]
      const target = name === undefined ? undefined : this.document.components.schemas[name]
      if (target === undefined) throw new Error(`cannot resolve ${resolved.$ref}`)
      resolved = target
    }
    return resolved
  }

  /** Values valid against the schema. */
  valid (schema: Schema): fc.Arbitrary<JsonNode> {
    const s = this.resolve(schema)
    if ('const' in s) return fc.constant(s.const as JsonNode)
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as JsonNode[]))
    if (Array.isArray(s.anyOf)) return fc.oneof(...(s.anyOf as Schema[]).map((branch) => this.valid(branch)))
    switch (s.type) {
      case 'string': return this.validString(s)
      case 'integer': return integerBetween(s.minimum ?? -(2 ** 53) + 1, s.maximum ?? 2 ** 53 - 1)
      case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true, min: s.minimum, max: s.maximum })
      case 'boolean': return fc.boolean()
      case 'null': return fc.constant(null)
      case 'array': return fc.array(this.valid(s.items ?? {}), { maxLength: 4 })
      case 'object': return this.validObject(s)
      default: return anyJson
    }
  }

  private validString (s: Schema): fc.Arbitrary<JsonNode> {
    if (s.format === 'date-time') return dateTime
    const min: number = s.minLength ?? 0
    const max: number = s.maxLength ?? 60
    if (typeof s.pattern === 'string') {
      const pattern = new RegExp(s.pattern, 'u')
      const short = Math.min(max, 80)
      return fc.oneof(
        fc.stringMatching(pattern).filter((value) => value.length >= min && value.length <= short),
        text(min, short).filter((value) => pattern.test(value))
      )
    }
    return text(min, max)
  }

  private validObject (s: Schema): fc.Arbitrary<JsonNode> {
    const properties = (s.properties ?? {}) as Record<string, Schema>
    const model: Record<string, fc.Arbitrary<JsonNode>> = {}
    for (const [name, property] of Object.entries(properties)) model[name] = this.valid(property)
    return fc.record(model, { requiredKeys: (s.required ?? []) as string[] })
      .map((record) => new JsonObject(Object.entries(record) as [string, JsonNode][]))
  }

  /** Values the schema refuses: wrong types, out of range, too long, not in the enum, badly formatted. */
  invalid (schema: Schema): fc.Arbitrary<JsonNode> {
    const s = this.resolve(schema)
    const types = this.acceptedTypes(s)
    const wrongType = fc.oneof(
      fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), text(0, 10),
      fc.constant([] as JsonNode), fc.constant(new JsonObject([])), anyJson
    ).filter((value) => !types.has(jsonType(value)) && !(types.has('number') && jsonType(value) === 'integer'))
    const arbitraries: fc.Arbitrary<JsonNode>[] = [wrongType]
    if (Array.isArray(s.anyOf)) arbitraries.push(...(s.anyOf as Schema[]).filter((branch) => this.resolve(branch).type !== 'null').map((branch) => this.invalid(branch)))
    if (Array.isArray(s.enum) || 'const' in s) {
      const allowed = (Array.isArray(s.enum) ? s.enum : [s.const]) as JsonNode[]
      const nearMisses = allowed.filter((value): value is string => typeof value === 'string')
        .flatMap((value) => [value.toUpperCase(), ` ${value}`, `${value} `, value.slice(1), `${value}\u0000`, value.replace('_', '-')])
      arbitraries.push(fc.constantFrom('', ...nearMisses).filter((value) => !allowed.includes(value)))
      arbitraries.push(text(0, 12).filter((value) => !allowed.includes(value)))
    }
    if (s.type === 'string') {
      if (typeof s.maxLength === 'number') {
        arbitraries.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 3 }).map((length) => 'x'.repeat(length)))
        arbitraries.push(fc.constantFrom(10_000, 100_000, 900_000).map((length) => 'é'.repeat(length)))
      }
      if (typeof s.minLength === 'number' && s.minLength > 0) arbitraries.push(fc.constantFrom('', ' ', ' \t\n\r ', '\u00a0'.repeat(s.minLength)))
      if (typeof s.pattern === 'string') {
        const pattern = new RegExp(s.pattern, 'u')
        arbitraries.push(text(1, 20).filter((value) => !pattern.test(value)))
      }
      if (s.format === 'date-time') arbitraries.push(fc.constantFrom(...BAD_DATE_TIMES))
    }
    if (s.type === 'integer' || s.type === 'number') {
      const min: number = s.minimum ?? -Infinity
      const max: number = s.maximum ?? Infinity
      const outside = [min - 1, max + 1, 2 ** 53, 2 ** 64, -(2 ** 63), 1e308, -1e308].filter((value) => Number.isFinite(value) && (value < min || value > max))
      if (outside.length > 0) arbitraries.push(fc.constantFrom(...outside))
      if (s.type === 'integer') arbitraries.push(fc.constantFrom(1.5, 2.000001, -0.5, Number.EPSILON))
      arbitraries.push(fc.constantFrom(new RawJson('1e400'), new RawJson('-1e400'), new RawJson('9007199254740993'), new RawJson('1E+2')))
      arbitraries.push(fc.constantFrom(String(Number.isFinite(min) ? min : 1), '1', '0x1', ''))
    }
    if (s.type === 'object') arbitraries.push(anyJson.filter((value) => !(value instanceof JsonObject)))
    return fc.oneof(...arbitraries)
  }

  private acceptedTypes (s: Schema): Set<string> {
    if (Array.isArray(s.anyOf)) return new Set((s.anyOf as Schema[]).flatMap((branch) => [...this.acceptedTypes(this.resolve(branch))]))
    if (Array.isArray(s.enum)) return new Set((s.enum as JsonNode[]).map(jsonType))
    if ('const' in s) return new Set([jsonType(s.const as JsonNode)])
    return new Set(typeof s.type === 'string' ? [s.type] : [])
  }
}

function jsonType (value: JsonNode): string {
  if (value === null) return 'null'
  if (value instanceof RawJson) return 'number'
  if (value instanceof JsonObject) return 'object'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Integers of any safe range (fc.integer stops at 32 bits). */
function integerBetween (min: number, max: number): fc.Arbitrary<JsonNode> {
  if (min >= -(2 ** 31) && max < 2 ** 31) return fc.integer({ min, max })
  return fc.oneof(fc.integer({ min: Math.max(min, 0), max: Math.min(max, 1000) }), fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number))
}

const anyJson: fc.Arbitrary<JsonNode> = fc.jsonValue({ maxDepth: 3 }).map(fromPlain)

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */
/* ------------------------------------------------------------------------ */

/** An entity tag of a task, resolved when sent: its version is read then. */
interface TagReference {
  id: number
  weak: boolean
  /** 0: the task's current version; otherwise that far from it. */
  versionOffset: number
}

type HeaderValue = { text: string } | { tags: TagReference[], separator: string } | { repeated: string[] }

interface BodySpec {
  kind: string
  payload: string | Uint8Array
  /** null: no Content-Type header at all. */
  contentType: string | null
}

interface QueryPiece {
  name: string
  value: string | undefined
  /** Sent percent-encoded (the norm) or as typed, garbage included. */
  raw: boolean
}

/** A request as generated; `materialize` turns it into the request sent. */
export interface RequestSpec {
  operationId: string
  method: string
  path: string
  pathId: string | undefined
  trailingSlash: boolean
  query: QueryPiece[]
  headers: [string, HeaderValue][]
  body: BodySpec | undefined
}

/** A request as sent with `inject`. */
export interface SentRequest {
  method: string
  url: string
  headers: Record<string, string | string[]>
  payload?: string | Buffer
}

/** What the generators know of the database: ids to aim at, cursors to follow. */
export interface FuzzState {
  /** Tasks created before the run (some of them soft-deleted). */
  ids: number[]
  deletedIds: number[]
  /** Each cursor with the query string of the page it came from. */
  cursors: { query: string, cursor: string }[]
  /** The last version seen of each task, from ETags. */
  versions: Map<number, number>
}

const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', '4f1c2d3e-0b7a-4e55-9c1d-5b2f8a7e6d10']

const SPECIAL_PATH_IDS = [
  '0', '-1', '-0', '00', '01', '+1', ' 1', '1 ', '1.0', '1.5', '1e3', '1e400', '-1e400', '0x1A', '0b1', '0o7', '1_000',
  'Infinity', '-Infinity', 'NaN', 'null', 'undefined', 'true', '[]', '{}', '9007199254740991', '9007199254740992',
  '9007199254740993', '18446744073709551616', '99999999999999999999999999999', '1,2', '1;2', '１', '٣', 'ⅰ', '*'
]
const ENCODED_PATH_IDS = [
  '%00', '%zz', '%', '%%', '%E0%A4%A', '%ED%A0%80', '%FF', '%C0%AF', '%2F', '%2f', '%5C', '%3F', '%23', '%2e', '%2e%2e',
  '..', '.', '1%2Frestore', '%252F', '%20', '%0A', '%0D%0A', '%u0031', '%31', '%2B1', '1%00', '%EF%BB%BF1'
]

const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8', 'application/json; charset=utf-16',
  'application/json; charset="utf-8"', 'application/json; charset=latin1', 'text/plain', 'text/json', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/problem+json', 'application/jsonx',
  'application/json-patch+json', 'application/octet-stream', '', ' application/json', '*/*', 'application/*', 'json', 'application/json, text/plain'
]

const RAW_BODIES = [
  '', ' ', '\n', '{', '}', '[', '{"title":', '{"title":"x"', 'nul', 'undefined', '{\'title\':\'x\'}', '{"title":"a",}', '{title:"a"}',
  '\ufeff{"title":"bom"}', '[]', '""', '"title"', '0', '-0', 'null', 'true', '{"title":"x"} trailing', '{"title":"x"}{"title":"y"}',
  'NaN', 'Infinity', '{"title":"\\ud800"}', '{"title":"a\\u0000b"}', '{"title":"\\u0000"}', '{"title":"\u0000"}', '{"title":"\\x41"}',
  '{"__proto__":{"title":"x"}}', '{"title":"x","__proto__":{"polluted":true}}', '{"title":"x","__proto__":null}',
  '{"constructor":{"prototype":{"polluted":true}}}', '{"title":"x","constructor":{"prototype":{"polluted":true}}}',
  '{"title":"x","constructor":"y"}', '{"title": 1e999}', '{"title":"a","priority": 1e400}', '{"title":"a","priority": -0}',
  '{"title":"a","priority": 2.0}', '{"title":"a","priority": 2.5e0}', '{"title":"a","priority": 0.2e1}', '{"title":"a","status":"done","status":null}',
  '{"title":"a","title":5}', '{"title":"a"}\u0000', '\u0000', '{"title":"a"/*c*/}', '{"title":"a",\n"priority":\t3}'
]

/** A body of invalid UTF-8 bytes: `{"title":"` + bytes + `"}`. */
const INVALID_UTF8_BODIES = [
  [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe0, 0xa4], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00]
].map((bytes) => Buffer.concat([Buffer.from('{"title":"'), Buffer.from(bytes), Buffer.from('"}')]))

const MEBIBYTE = 1024 * 1024
let hugeBodies: string[] | undefined
/** Bodies just over and just under the 1 MiB limit, and one with thousands of members. */
function hugeBodyTexts (): string[] {
  hugeBodies ??= [
    JSON.stringify({ title: 'x'.repeat(MEBIBYTE) }),
    JSON.stringify({ title: 'x', description: 'y'.repeat(MEBIBYTE - 100) }),
    JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, index) => [`field${index}`, index]))),
    JSON.stringify({ title: 'x', description: ['z'.repeat(10)].concat(Array.from({ length: 50_000 }, () => 'a')) })
  ]
  return hugeBodies
}

/** A value nested `depth` levels deep, in arrays or objects. */
function nested (depth: number, container: 'array' | 'object'): RawJson {
  return new RawJson(container === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)
}

/** Generators of requests for every operation of the document. */
export class RequestGenerators {
  private readonly values: SchemaValues

  constructor (readonly operations: Operation[], document: OpenApiDocument, private readonly state: FuzzState) {
    this.values = new SchemaValues(document)
  }

  /** Any request: an operation of the document, sometimes with another method. */
  request (): fc.Arbitrary<RequestSpec> {
    // A request line and headers over the HTTP server's limit never reach the app (431).
    const sendable = { ids: [], deletedIds: [], cursors: [], versions: new Map() }
    return fc.oneof(...this.operations.map((operation) => this.requestFor(operation)))
      .filter((spec) => headSize(materialize(spec, sendable)) <= MAX_HEAD_BYTES)
  }

  requestFor (operation: Operation): fc.Arbitrary<RequestSpec> {
    const pathParameter = operation.parameters.find((parameter) => parameter.in === 'path')
    return fc.record({
      operationId: fc.constant(operation.operationId),
      method: fc.oneof({ weight: 15, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') }),
      path: fc.constant(operation.path),
      pathId: pathParameter === undefined ? fc.constant(undefined) : this.pathId(pathParameter.schema),
      trailingSlash: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      query: this.query(operation),
      headers: this.headers(operation),
      body: operation.bodySchema === undefined
        ? fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: this.body({ type: 'object' }) })
        : fc.oneof({ weight: 20, arbitrary: this.body(operation.bodySchema) }, { weight: 1, arbitrary: fc.constant(undefined) })
    })
  }

  /** Path ids: of tasks that exist or were deleted, valid but absent, and every kind of garbage. */
  private pathId (schema: Schema): fc.Arbitrary<string> {
    const { ids, deletedIds } = this.state
    const garbage = fc.tuple(text(0, 30), fc.boolean()).map(([value, raw]) => raw ? sanitizeRawSegment(value) : percentEncode(value))
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...ids).map(String) },
      { weight: 2, arbitrary: fc.constantFrom(...deletedIds).map(String) },
      { weight: 2, arbitrary: this.values.valid(schema).map((value) => String(value)) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map(String) },
      { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_PATH_IDS).map(percentEncode) },
      { weight: 2, arbitrary: fc.constantFrom(...ENCODED_PATH_IDS) },
      { weight: 2, arbitrary: garbage },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 90, max: 600 }), fc.constantFrom('1', 'a', '%C3%A9')).map(([length, unit]) => unit.repeat(length)) }
    )
  }

  /**
   * Query strings: each documented parameter absent, valid, invalid or
   * repeated; unknown parameters; for lists, also a real cursor with the
   * parameters of the page it came from.
   */
  private query (operation: Operation): fc.Arbitrary<QueryPiece[]> {
    const parameters = operation.parameters.filter((parameter) => parameter.in === 'query')
    const unknown = fc.array(this.unknownQueryPiece(), { maxLength: 2 })
    if (parameters.length === 0) {
      return fc.oneof({ weight: 6, arbitrary: fc.constant<QueryPiece[]>([]) }, { weight: 1, arbitrary: unknown })
    }
    const perParameter = parameters.map((parameter) => fc.oneof(
      { weight: 8, arbitrary: fc.constant([] as QueryPiece[]) },
      { weight: 4, arbitrary: this.queryValue(parameter, true).map((piece) => [piece]) },
      { weight: 1, arbitrary: this.queryValue(parameter, false).map((piece) => [piece]) },
      { weight: 1, arbitrary: fc.tuple(this.queryValue(parameter, true), fc.oneof(this.queryValue(parameter, true), this.queryValue(parameter, false))) }
    ))
    const generic = fc.tuple(fc.tuple(...perParameter), fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: unknown }))
      .chain(([pieces, extra]) => fc.shuffledSubarray([...pieces.flat(), ...extra], { minLength: pieces.flat().length + extra.length }))
    // One parameter sent many times over.
    const flood = fc.tuple(fc.constantFrom(...parameters), fc.integer({ min: 20, max: 1000 }), fc.boolean())
      .chain(([parameter, times, valid]) => this.queryValue(parameter, valid).map((piece) => {
        const length = percentEncode(`${piece.name}=${piece.value ?? ''}&`).length
        return Array.from({ length: Math.max(1, Math.min(times, Math.floor(MAX_HEAD_BYTES / length))) }, () => piece)
      }))
    const arbitraries: fc.WeightedArbitrary<QueryPiece[]>[] = [{ weight: 16, arbitrary: generic }, { weight: 1, arbitrary: flood }]
    if (parameters.some((parameter) => parameter.name === 'cursor') && this.state.cursors.length > 0) {
      arbitraries.push({ weight: 4, arbitrary: this.followCursor(parameters) })
    }
    return fc.oneof(...arbitraries)
  }

  /** A stored cursor with the query it came from, sometimes with a new limit or one parameter changed. */
  private followCursor (parameters: Parameter[]): fc.Arbitrary<QueryPiece[]> {
    const limit = parameters.find((parameter) => parameter.name === 'limit')
    const change = fc.oneof(
      { weight: 4, arbitrary: fc.constant([] as QueryPiece[]) },
      { weight: 2, arbitrary: limit === undefined ? fc.constant([]) : this.queryValue(limit, true).map((piece) => [piece]) },
      { weight: 1, arbitrary: fc.constantFrom(...parameters).chain((parameter) => this.queryValue(parameter, true)).map((piece) => [piece]) }
    )
    const tamper = fc.oneof(
      { weight: 6, arbitrary: fc.constant((cursor: string) => cursor) },
      { weight: 1, arbitrary: fc.constant((cursor: string) => `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`) },
      { weight: 1, arbitrary: fc.constant((cursor: string) => cursor.replace('.', '')) },
      { weight: 1, arbitrary: fc.constant((cursor: string) => `${cursor}.x`) }
    )
    return fc.tuple(fc.constantFrom(...this.state.cursors), change, tamper).map(([{ query, cursor }, changed, alter]) => {
      const pieces = [...new URLSearchParams(query)]
        .filter(([name]) => !changed.some((piece) => piece.name === name))
        .map(([name, value]): QueryPiece => ({ name, value, raw: false }))
      return [...pieces, ...changed, { name: 'cursor', value: alter(cursor), raw: false }]
    })
  }

  private queryValue (parameter: Parameter, valid: boolean): fc.Arbitrary<QueryPiece> {
    const values = valid
      ? this.values.valid(parameter.schema).map(queryText)
      : fc.oneof(this.values.invalid(parameter.schema).map(queryText), text(0, 20), fc.constantFrom('', '%', '%zz', '%ED%A0%80', '%00', '+', '[]', 'a=b', 'null'))
    return fc.tuple(values.filter((value) => value.length <= MAX_QUERY_VALUE_LENGTH), fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }))
      .map(([value, raw]) => ({ name: parameter.name, value, raw }))
  }

  private unknownQueryPiece (): fc.Arbitrary<QueryPiece> {
    const name = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'limit[]', 'limit[0]', 'status[]', 'LIMIT', 'Limit', 'sort', 'page', 'id', '', ' '),
      text(1, 12)
    )
    return fc.record({
      name,
      value: fc.option(text(0, 20), { nil: undefined }),
      raw: fc.boolean()
    })
  }

  /** Conditional and idempotency headers (on every operation: the others must ignore them), and a few more. */
  private headers (operation: Operation): fc.Arbitrary<[string, HeaderValue][]> {
    const declared = new Set(operation.parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name.toLowerCase()))
    const weight = (name: string) => declared.has(name) ? 3 : 1
    const conditional = fc.oneof(
      { weight: 4, arbitrary: fc.array(this.tagReference(), { minLength: 1, maxLength: 3 }).chain((tags) => fc.constantFrom(', ', ',', ' , ').map((separator): HeaderValue => ({ tags, separator }))) },
      { weight: 1, arbitrary: fc.constantFrom('*', ' * ', '*, "1-1"', '', ' ', '"', '""', 'W/', '"1-1', '1-1', 'W/"1-1"', '"*"', ',,,', '"1-1" "1-2"').map((value): HeaderValue => ({ text: value })) },
      { weight: 1, arbitrary: headerText(0, 60).map((value): HeaderValue => ({ text: value })) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom('*', '"1-1"', 'x', ''), { minLength: 2, maxLength: 3 }).map((values): HeaderValue => ({ repeated: values })) }
    )
    const idempotencyParameter = operation.parameters.find((parameter) => parameter.name.toLowerCase() === 'idempotency-key')
    const idempotencyKey = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...IDEMPOTENCY_KEYS).map((value): HeaderValue => ({ text: value })) },
      { weight: 2, arbitrary: headerText(idempotencyParameter?.schema.minLength ?? 1, Math.min(idempotencyParameter?.schema.maxLength ?? 255, 255)).map((value): HeaderValue => ({ text: value })) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(256), 'k'.repeat(5000)).map((value): HeaderValue => ({ text: value })) },
      { weight: 1, arbitrary: fc.constant<HeaderValue>({ repeated: ['fuzz-key-1', 'fuzz-key-2'] }) }
    )
    const header = (name: string, value: fc.Arbitrary<HeaderValue>) => fc.oneof(
      { weight: 4, arbitrary: fc.constant([] as [string, HeaderValue][]) },
      { weight: weight(name), arbitrary: value.map((v): [string, HeaderValue][] => [[name, v]]) }
    )
    return fc.tuple(
      header('if-match', conditional),
      header('if-none-match', conditional),
      header('idempotency-key', idempotencyKey),
      fc.oneof({ weight: 6, arbitrary: fc.constant([] as [string, HeaderValue][]) }, {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom('x-request-id', 'accept', 'accept-encoding', 'origin', 'x-forwarded-for', 'range', 'if-modified-since', 'expect'), headerText(0, 200))
          .map(([name, value]): [string, HeaderValue][] => [[name, { text: value }]])
      })
    ).map((groups) => groups.flat())
  }

  private tagReference (): fc.Arbitrary<TagReference> {
    const { ids, deletedIds } = this.state
    return fc.record({
      id: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids, ...deletedIds) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }),
      weak: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      versionOffset: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) })
    })
  }

  /** Bodies: valid ones from the schema, and every way of getting one wrong. */
  body (schema: Schema): fc.Arbitrary<BodySpec> {
    const resolved = this.values.resolve(schema)
    const properties = Object.keys(resolved.properties ?? {})
    const required = (resolved.required ?? []) as string[]
    const valid = this.values.valid(schema)
    const json = (kind: string, node: fc.Arbitrary<JsonNode>) => node.map((value) => ({ kind, text: jsonText(value) }))

    const texts: fc.WeightedArbitrary<{ kind: string, text: string | Uint8Array }>[] = [
      { weight: 8, arbitrary: json('valid', valid) },
      { weight: 1, arbitrary: json('unknown member', fc.tuple(valid, this.memberName(), anyJson).map(([body, key, value]) => withMember(body, key, value))) },
      { weight: 1, arbitrary: json('prototype pollution', fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([body, key]) => withMember(body, key, new JsonObject([['prototype', new JsonObject([['polluted', true]])], ['polluted', true]])))) },
      { weight: 1, arbitrary: json('any JSON', anyJson) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'), fc.constantFrom(...properties, 'zz', '')).map(([depth, container, key]) => ({ kind: 'deeply nested', text: jsonText(key === '' ? nested(depth, container) : new JsonObject([['title', 'nested'], [key, nested(depth, container)]])) })) },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES).map((value) => ({ kind: 'raw text', text: value })) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8_BODIES).map((value) => ({ kind: 'invalid UTF-8', text: value as Uint8Array })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((index) => ({ kind: 'huge', text: hugeBodyTexts()[index] as string })) }
    ]
    if (properties.length > 0) {
      texts.push({ weight: 5, arbitrary: json('one invalid member', fc.oneof(...properties.map((name) => fc.tuple(valid, this.values.invalid(resolved.properties[name])).map(([body, bad]) => withMember(body, name, bad))))) })
      texts.push({ weight: 1, arbitrary: json('duplicate member', fc.tuple(valid, fc.constantFrom(...properties), anyJson).map(([body, key, value]) => body instanceof JsonObject ? new JsonObject([...body.entries, [key, value]]) : body)) })
    }
    if (required.length > 0) {
      texts.push({ weight: 1, arbitrary: json('required member missing', fc.tuple(valid, fc.constantFrom(...required)).map(([body, key]) => withMember(body, key, undefined))) })
    }
    const contentType = fc.oneof(
      { weight: 20, arbitrary: fc.constant<string | null>('application/json') },
      { weight: 2, arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES) },
      { weight: 1, arbitrary: fc.constant<string | null>(null) }
    )
    return fc.tuple(fc.oneof(...texts), contentType).map(([{ kind, text }, type]) => ({ kind, payload: text, contentType: type }))
  }

  private memberName (): fc.Arbitrary<string> {
    return fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'Title', 'title ', 'TITLE', 'id', 'version', 'created_at', 'updated_at', 'deleted_at', 'priorty', '$ref', '\u0000', 'title\u0000'),
      text(1, 20)
    )
  }
}

// Node's HTTP parser refuses a request line and headers over 16 KiB (its default,
// and the app's setting) with a 431 before the app sees them: longer URLs
// would only test what inject, not a server, lets through.
const MAX_HEAD_BYTES = 16 * 1024
// Room for the longest valid query value (`q`, 2000 characters) and a little over.
const MAX_QUERY_VALUE_LENGTH = 2100

/** Bytes of the request line and headers, about as they would go on the wire. */
function headSize (request: SentRequest): number {
  const { pathname, search } = new URL(request.url, 'http://localhost')
  let size = request.method.length + pathname.length + search.length + 12
  for (const [name, value] of Object.entries(request.headers)) {
    for (const item of [value].flat()) size += name.length + Buffer.byteLength(item, 'latin1') + 4
  }
  return size
}

/** A path segment as typed, but never one that would change the path's shape. */
function sanitizeRawSegment (value: string): string {
  const cleaned = value.replace(/[/\\?#]/g, (character) => percentEncode(character))
  return /^\.{1,2}$/.test(cleaned) ? `${cleaned}x` : cleaned
}

function queryText (value: JsonNode): string {
  return typeof value === 'string' ? value : jsonText(value)
}

function encodeQueryPart (value: string, raw: boolean): string {
  return raw ? value.replace(/#/g, '%23') : percentEncode(value)
}

/** The request to send, with ETags read from what the run has seen so far. */
export function materialize (spec: RequestSpec, state: FuzzState): SentRequest {
  let path = spec.path.replace('{task_id}', spec.pathId ?? '')
  if (spec.trailingSlash) path += '/'
  const query = spec.query.map(({ name, value, raw }) => value === undefined ? encodeQueryPart(name, raw) : `${encodeQueryPart(name, raw)}=${encodeQueryPart(value, raw)}`).join('&')
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of spec.headers) {
    if ('text' in value) headers[name] = value.text
    else if ('repeated' in value) headers[name] = value.repeated
    else headers[name] = value.tags.map(({ id, weak, versionOffset }) => `${weak ? 'W/' : ''}"${id}-${(state.versions.get(id) ?? 1) + versionOffset}"`).join(value.separator)
  }
  const request: SentRequest = { method: spec.method, url: query === '' ? path : `${path}?${query}`, headers }
  if (spec.body !== undefined) {
    if (spec.body.contentType !== null) headers['content-type'] = spec.body.contentType
    request.payload = typeof spec.body.payload === 'string' ? spec.body.payload : Buffer.from(spec.body.payload)
  }
  return request
}

/* ------------------------------------------------------------------------ */
/* The contract                                                              */
/* ------------------------------------------------------------------------ */

// Client errors the framework can give on any route, documented there or not:
// a malformed request (400), a body over the limit (413) or of another media type (415).
const FRAMEWORK_STATUSES_ON_ROUTES = new Set([400, 413, 415])
// On a path or method no operation has: also no route (404) and wrong method (405).
const FRAMEWORK_STATUSES_OFF_ROUTES = new Set([400, 404, 405, 413, 415])

const PROBLEM_MEDIA_TYPE = 'application/problem+json'
const VALIDATOR_BASE = 'https://task-api.test/openapi.json'

/** Checks responses against the document. */
export class Contract {
  private readonly ajv: Ajv2020
  private readonly validators = new Map<Schema, ValidateFunction>()
  readonly problem: ValidateFunction

  constructor (readonly document: OpenApiDocument, readonly operations: Operation[] = operationsOf(document)) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
    addFormats.default(this.ajv)
    this.ajv.addSchema({ $id: VALIDATOR_BASE, components: document.components })
    this.problem = this.validator({ $ref: '#/components/schemas/Problem' })
  }

  private validator (schema: Schema): ValidateFunction {
    let validate = this.validators.get(schema)
    if (validate === undefined) {
      validate = this.ajv.compile(absoluteRefs(schema) as Schema)
      this.validators.set(schema, validate)
    }
    return validate
  }

  /**
   * The operation a request reaches, as the router will see its URL (after
   * the URL parser's normalisation and percent-decoding); undefined when no
   * operation of the document matches.
   */
  operationFor (method: string, url: string): Operation | undefined {
    const { pathname } = new URL(url.startsWith('//') ? `http://localhost${url}` : url, 'http://localhost')
    let segments: string[]
    try {
      segments = pathname.split('/').map((segment) => decodeURIComponent(segment))
    } catch {
      return undefined
    }
    // Every path also answers with a trailing slash.
    if (segments.length > 2 && segments.at(-1) === '') segments.pop()
    const routed = method === 'HEAD' ? 'GET' : method
    return this.operations.find((operation) => {
      if (operation.method !== routed) return false
      const template = operation.path.split('/')
      return template.length === segments.length && template.every((part, index) => /^\{.+\}$/.test(part) || part === segments[index])
    })
  }

  /** What is wrong with this response to this request: nothing when the list is empty. */
  check (request: SentRequest, response: LightMyRequestResponse): string[] {
    const status = response.statusCode
    const operation = this.operationFor(request.method, request.url)
    const where = operation === undefined ? 'a path and method no operation documents' : operation.operationId
    const documented = operation?.responses[String(status)]
    // A 500 is always a bug; another 5xx (a 503, say) only where it is documented.
    if (status >= 500) {
      if (status === 500 || documented === undefined) return [`${status} from ${where}: the server failed${status === 500 ? '' : ', with a status not documented there'}`]
      return request.method === 'HEAD' ? [] : this.checkProblem(response)
    }
    if (status < 400) {
      if (operation === undefined) return [`${status} from ${where}: only client errors are expected there`]
      if (documented === undefined) return [`${status} is not a status ${where} documents (${Object.keys(operation.responses).join(', ')})`]
      return this.checkDocumented(request, response, operation, documented)
    }
    if (documented === undefined && !(operation === undefined ? FRAMEWORK_STATUSES_OFF_ROUTES : FRAMEWORK_STATUSES_ON_ROUTES).has(status)) {
      return [`${status} is neither documented for ${where}${operation === undefined ? '' : ` (${Object.keys(operation.responses).join(', ')})`} nor a client error the framework gives`]
    }
    if (request.method === 'HEAD') return []
    return this.checkProblem(response)
  }

  private checkDocumented (request: SentRequest, response: LightMyRequestResponse, operation: Operation, documented: ResponseObject): string[] {
    const violations: string[] = []
    for (const [name, { schema }] of Object.entries(documented.headers ?? {})) {
      const value = response.headers[name.toLowerCase()]
      if (value === undefined) continue
      const validate = this.validator(schema)
      if (!validate(value)) violations.push(`header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors)}`)
    }
    const content = Object.entries(documented.content ?? {})
    if (request.method === 'HEAD' || content.length === 0) {
      if (response.rawPayload.length > 0) violations.push(`${response.statusCode} from ${operation.operationId} must have no body, got ${response.rawPayload.length} bytes`)
      return violations
    }
    const type = mediaType(response.headers['content-type'])
    const entry = content.find(([media]) => media === type)
    if (entry === undefined) {
      violations.push(`content-type ${String(response.headers['content-type'])} is not documented for ${response.statusCode} (${content.map(([media]) => media).join(', ')})`)
      return violations
    }
    let body: unknown
    try {
      body = JSON.parse(response.body)
    } catch {
      violations.push(`the body is not JSON: ${truncate(response.body, 200)}`)
      return violations
    }
    const validate = this.validator(entry[1].schema)
    if (!validate(body)) violations.push(`the body does not match the ${response.statusCode} schema of ${operation.operationId}: ${this.ajv.errorsText(validate.errors)}`)
    return violations
  }

  private checkProblem (response: LightMyRequestResponse): string[] {
    const status = response.statusCode
    if (mediaType(response.headers['content-type']) !== PROBLEM_MEDIA_TYPE) {
      return [`a ${status} must be ${PROBLEM_MEDIA_TYPE}, got content-type ${String(response.headers['content-type'])}`]
    }
    let body: unknown
    try {
      body = JSON.parse(response.body)
    } catch {
      return [`the ${status} body is not JSON: ${truncate(response.body, 200)}`]
    }
    if (!this.problem(body)) return [`the ${status} body is not a Problem: ${this.ajv.errorsText(this.problem.errors)}`]
    if ((body as { status: number }).status !== status) return [`the problem says status ${(body as { status: number }).status}, the response is a ${status}`]
    return []
  }
}

/** The schema with its `#/...` references made absolute, into the document's components. */
function absoluteRefs (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absoluteRefs)
  if (schema === null || typeof schema !== 'object') return schema
  return Object.fromEntries(Object.entries(schema).map(([key, value]) =>
    [key, key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${VALIDATOR_BASE}${value}` : absoluteRefs(value)]))
}

function mediaType (contentType: unknown): string | undefined {
  return typeof contentType === 'string' ? contentType.split(';', 1)[0]?.trim().toLowerCase() : undefined
}

function truncate (value: string, length: number): string {
  return value.length <= length ? value : `${value.slice(0, length)}... (${value.length} characters)`
}

/* ------------------------------------------------------------------------ */
/* Running                                                                   */
/* ------------------------------------------------------------------------ */

/** What the fuzzer needs of the app. */
export type Injector = Pick<FastifyInstance, 'inject'>

/** One request sent and what came back (or that nothing did). */
export interface Exchange {
  spec: RequestSpec
  request: SentRequest
  response?: { statusCode: number, headers: Record<string, unknown>, body: string } | undefined
  error?: string | undefined
  violations: string[]
}

export class ContractViolation extends Error {
  override name = 'ContractViolation'
  constructor (readonly exchanges: Exchange[]) {
    super(exchanges.filter((exchange) => exchange.violations.length > 0).flatMap((exchange) => exchange.violations).join('; '))
  }
}

/**
 * The tasks the generators aim at, created through the API: some soft-deleted
 * (for restore), and cursors of a few list pages (to follow and to tamper with).
 */
export async function prepareState (app: Injector): Promise<FuzzState> {
  const state: FuzzState = { ids: [], deletedIds: [], cursors: [], versions: new Map() }
  const bodies = [
    { title: 'Write the report', description: 'Q3 numbers', priority: 1, assignee: 'ada' },
    { title: 'Pay the invoice', status: 'in_progress' },
    { title: '100% done_ok\\', description: 'percent, underscore and backslash', priority: 5 },
    { title: 'ünïcödé 😀 task', assignee: null, status: 'done' },
    { title: 'a'.repeat(200), description: 'd'.repeat(2000), priority: 3 },
    { title: 'cancelled one', status: 'cancelled', priority: 4 },
    { title: 'report draft', description: 'same words: report' },
    { title: 'to be deleted', priority: 2 },
    { title: 'deleted too', status: 'done' }
  ]
  for (const body of bodies) {
    const response = await app.inject({ method: 'POST', url: '/tasks', payload: body })
    if (response.statusCode !== 201) throw new Error(`creating a task failed with ${response.statusCode}: ${response.body}`)
    const task = response.json() as { id: number, version: number }
    state.ids.push(task.id)
    state.versions.set(task.id, task.version)
  }
  for (const id of state.ids.slice(-2)) {
    const response = await app.inject({ method: 'DELETE', url: `/tasks/${id}`, headers: { 'if-match': '*' } })
    if (response.statusCode !== 204) throw new Error(`deleting task ${id} failed with ${response.statusCode}: ${response.body}`)
    state.versions.set(id, (state.versions.get(id) ?? 1) + 1)
    state.deletedIds.push(id)
  }
  state.ids = state.ids.filter((id) => !state.deletedIds.includes(id))
  for (const query of ['limit=2', 'limit=1&sort_by=title&sort_order=asc', 'limit=2&sort_by=priority&include_deleted=true', 'limit=1&q=report&status=pending', 'limit=1&updated_since=2000-01-01T00:00:00Z']) {
    const response = await app.inject({ method: 'GET', url: `/tasks?${query}` })
    const cursor = (response.json() as { next_cursor?: string | null }).next_cursor
    if (typeof cursor === 'string') state.cursors.push({ query, cursor })
  }
  return state
}

/** Learns tasks' versions from the ETags the run sees, so that If-Match and If-None-Match can hit. */
function observe (state: FuzzState, request: SentRequest, response: LightMyRequestResponse): void {
  const tag = /^"(\d+)-(\d+)"$/.exec(String(response.headers.etag ?? ''))
  if (tag !== null) {
    state.versions.set(Number(tag[1]), Number(tag[2]))
  } else if (request.method === 'DELETE' && response.statusCode === 204) {
    const id = Number(/^\/tasks\/(\d+)/.exec(request.url)?.[1])
    if (state.versions.has(id)) state.versions.set(id, (state.versions.get(id) ?? 1) + 1)
  }
}

export interface FuzzStatistics {
  requests: number
  /** operationId (or `unrouted`) -> status -> count */
  statuses: Record<string, Record<string, number>>
  /** operationId -> client errors it gave that its documentation does not list (allowed as the framework's) */
  undocumented: Record<string, number[]>
}

export interface FuzzOptions {
  app: Injector
  seed: number
  numRuns: number
  /** fast-check's replay path, to start from a given counterexample. */
  path?: string | undefined
  /** Per request, in milliseconds: a request not answered by then is a hang. */
  timeoutMs?: number
  /** Up to this many requests are sent at the same time in each run. */
  maxConcurrent?: number
  /** Whether to shrink a failure to a smaller counterexample. */
  shrink?: boolean
  /** Shrinking stops this long after the first failure (a hang costs timeoutMs per attempt). */
  shrinkTimeLimitMs?: number
}

export interface FuzzOutcome {
  failed: boolean
  seed: number
  numRuns: number
  /** Runs done (with shrinking, more than numRuns on a failure). */
  runsDone: number
  /** The replay path of the counterexample, when one was found. */
  path: string | undefined
  /** The exchanges of the (shrunk) counterexample. */
  counterexample: Exchange[] | undefined
  /** The first failing exchanges found, before shrinking. */
  firstFailure: Exchange[] | undefined
  /** An error of the fuzzer itself. */
  error: string | undefined
  statistics: FuzzStatistics
  durationMs: number
}

async function send (app: Injector, request: SentRequest, timeoutMs: number): Promise<LightMyRequestResponse | string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`no response within ${timeoutMs} ms: the request hangs`), timeoutMs) })
  try {
    return await Promise.race([app.inject(request as InjectOptions), timeout])
  } catch (error) {
    return `inject failed: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    clearTimeout(timer)
  }
}

/** The document the app serves. */
export async function fetchDocument (app: Injector): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`)
  return response.json() as OpenApiDocument
}

/**
 * The property: for every batch of generated requests (sent together, to
 * also exercise concurrent writes and in-flight Idempotency-Keys), every
 * response is within the contract of the operation it reached.
 */
export async function runContractFuzz (options: FuzzOptions): Promise<FuzzOutcome> {
  const started = Date.now()
  const { app, seed, numRuns, timeoutMs = 10_000, maxConcurrent = 3, shrink = true, shrinkTimeLimitMs = 60_000 } = options
  const document = await fetchDocument(app)
  const contract = new Contract(document)
  const state = await prepareState(app)
  const generators = new RequestGenerators(contract.operations, document, state)
  const statistics: FuzzStatistics = { requests: 0, statuses: {}, undocumented: {} }
  let firstFailure: Exchange[] | undefined
  let shrinkDeadline = Infinity

  const property = fc.asyncProperty(fc.array(generators.request(), { minLength: 1, maxLength: maxConcurrent }), async (specs) => {
    // Past the shrinking budget every attempt passes, so the smallest failure so far stands.
    if (Date.now() > shrinkDeadline) return
    const requests = specs.map((spec) => materialize(spec, state))
    const responses = await Promise.all(requests.map((request) => send(app, request, timeoutMs)))
    const exchanges = specs.map((spec, index): Exchange => {
      const request = requests[index] as SentRequest
      const response = responses[index] as LightMyRequestResponse | string
      statistics.requests++
      if (typeof response === 'string') return { spec, request, error: response, violations: [response] }
      observe(state, request, response)
      const operation = contract.operationFor(request.method, request.url)
      const name = operation?.operationId ?? 'unrouted'
      const counts = statistics.statuses[name] ??= {}
      counts[response.statusCode] = (counts[response.statusCode] ?? 0) + 1
      if (operation !== undefined && operation.responses[response.statusCode] === undefined) {
        const statuses = statistics.undocumented[name] ??= []
        if (!statuses.includes(response.statusCode)) statuses.push(response.statusCode)
      }
      const violations = contract.check(request, response)
      return { spec, request, response: { statusCode: response.statusCode, headers: response.headers, body: response.body }, violations }
    })
    if (exchanges.some((exchange) => exchange.violations.length > 0)) {
      if (firstFailure === undefined) {
        firstFailure = exchanges
        shrinkDeadline = Date.now() + shrinkTimeLimitMs
      }
      throw new ContractViolation(exchanges)
    }
  })

  const details = await fc.check(property, {
    seed,
    numRuns,
    path: options.path,
    endOnFailure: !shrink
  })
  const violation = details.errorInstance instanceof ContractViolation ? details.errorInstance : undefined
  const fuzzerError = details.failed && violation === undefined ? String(details.errorInstance instanceof Error ? details.errorInstance.stack : details.errorInstance) : undefined
  return {
    failed: details.failed,
    seed: details.seed,
    numRuns,
    runsDone: details.numRuns + details.numShrinks,
    path: details.counterexamplePath ?? undefined,
    counterexample: violation?.exchanges,
    firstFailure,
    error: fuzzerError,
    statistics,
    durationMs: Date.now() - started
  }
}

/* ------------------------------------------------------------------------ */
/* Reporting                                                                 */
/* ------------------------------------------------------------------------ */

function describeExchange (exchange: Exchange): string {
  const { request, response } = exchange
  const lines = [`  ${request.method} ${truncate(request.url, 500)}`]
  for (const [name, value] of Object.entries(request.headers)) lines.push(`    ${name}: ${truncate(JSON.stringify(value), 300)}`)
  if (request.payload !== undefined) {
    const payload = typeof request.payload === 'string' ? JSON.stringify(truncate(request.payload, 600)) : `<${request.payload.length} bytes: ${request.payload.toString('hex').slice(0, 200)}>`
    lines.push(`    body (${exchange.spec.body?.kind ?? '?'}, ${Buffer.byteLength(request.payload)} bytes): ${payload}`)
  }
  if (response !== undefined) {
    lines.push(`  -> ${response.statusCode} content-type: ${String(response.headers['content-type'])}`)
    for (const name of ['allow', 'etag', 'location', 'idempotent-replayed']) {
      if (response.headers[name] !== undefined) lines.push(`     ${name}: ${String(response.headers[name])}`)
    }
    lines.push(`     ${truncate(response.body, 1500)}`)
  } else {
    lines.push(`  -> ${exchange.error ?? 'no response'}`)
  }
  if (exchange.violations.length > 0) lines.push(...exchange.violations.map((violation) => `  VIOLATION: ${violation}`))
  return lines.join('\n')
}

/** A readable account of a failed run: seed, path, the requests and responses. */
export function formatOutcome (outcome: FuzzOutcome, replay = 'npm run fuzz --'): string {
  if (!outcome.failed) return `no violation in ${outcome.numRuns} runs (${outcome.statistics.requests} requests, seed ${outcome.seed})`
  const lines = [
    `Contract violated. seed: ${outcome.seed}  path: ${outcome.path ?? '(none)'}  runs: ${outcome.numRuns}`,
    `Replay: ${replay} --seed ${outcome.seed} --runs ${outcome.numRuns}` + (outcome.path === undefined ? '' : ` (or only the counterexample: --path ${outcome.path})`)
  ]
  if (outcome.error !== undefined) lines.push(`The fuzzer itself failed: ${outcome.error}`)
  if (outcome.counterexample !== undefined) {
    lines.push('Counterexample (shrunk; requests sent together):')
    lines.push(...outcome.counterexample.map(describeExchange))
  }
  if (outcome.firstFailure !== undefined && outcome.firstFailure !== outcome.counterexample) {
    lines.push('First failure found (before shrinking):')
    lines.push(...outcome.firstFailure.filter((exchange) => exchange.violations.length > 0).map(describeExchange))
  }
  return lines.join('\n')
}

/** One line per operation: how many requests got each status. */
export function formatStatistics (statistics: FuzzStatistics): string {
  const lines = Object.entries(statistics.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, counts]) => `${operation}: ${Object.entries(counts).map(([status, count]) => `${status}x${count}`).join(' ')}`)
  for (const [operation, statuses] of Object.entries(statistics.undocumented)) {
    lines.push(`${operation} gave ${statuses.sort().join(', ')}, not in its documented responses (allowed as framework client errors)`)
  }
  return lines.join('\n')
}
