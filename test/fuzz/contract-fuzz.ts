/**
 * Contract fuzzing: requests generated from the OpenAPI document (valid ones
 * from its schemas, and every kind of invalid one) are sent to every
 * operation, with every kind of Authorization header, and every response
 * is checked against what the document promises for that operation. Shared
 * by the tap test (fixed seeds, bounded) and `npm run fuzz` (random seed,
 * more runs).
 */
import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'

/* ------------------------------------------------------------------------ */
/* The OpenAPI document                                                      */
/* ------------------------------------------------------------------------ */

// JSON Schema and OpenAPI objects are walked generically.
type Schema = Record<string, any>

export interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, Schema>>
  components: { schemas: Record<string, Schema> }
  security?: Schema[]
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
  /** The media type of that body: JSON, unless the document gives only another (a form, a multipart form of files). */
  bodyMediaType: string | undefined
  /** Whether a request without a token may call it: its security allows `{}`, or asks for nothing. */
  anonymous: boolean
  responses: Record<string, ResponseObject>
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const JSON_MEDIA_TYPE = 'application/json'
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'
export const MULTIPART_MEDIA_TYPE = 'multipart/form-data'

/** The operations of the document, in document order. */
export function operationsOf (document: OpenApiDocument): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue
      // A stream of events never ends, so no response can be checked whole: its own tests follow it.
      if (operation.responses?.['200']?.content?.['text/event-stream'] !== undefined) continue
      const content = (operation.requestBody?.content ?? {}) as Record<string, { schema: Schema }>
      const bodyMediaType = JSON_MEDIA_TYPE in content ? JSON_MEDIA_TYPE : Object.keys(content)[0]
      const security = (operation.security ?? document.security ?? []) as Schema[]
      operations.push({
        operationId: operation.operationId ?? `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: [...((item.parameters ?? []) as Parameter[]), ...((operation.parameters ?? []) as Parameter[])],
        bodySchema: bodyMediaType === undefined ? undefined : content[bodyMediaType]?.schema,
        bodyMediaType,
        anonymous: security.length === 0 || security.some((requirement) => Object.keys(requirement).length === 0),
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

/**
 * A body as a form sends it: `name=value` pairs, an array member once per
 * item, strings as they are and other values as JSON text; a body that is
 * not an object goes as its JSON text.
 */
export function formText (node: JsonNode): string {
  if (!(node instanceof JsonObject)) return percentEncode(jsonText(node))
  return node.entries
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => `${percentEncode(name)}=${percentEncode(formValue(item))}`))
    .join('&')
}

function formValue (node: JsonNode): string {
  if (node === null) return ''
  return typeof node === 'string' ? node : jsonText(node)
}

function withMember (object: JsonNode, key: string, value: JsonNode | undefined): JsonNode {
  if (!(object instanceof JsonObject)) return object
  const entries = object.entries.filter(([name]) => name !== key)
  return new JsonObject(value === undefined ? entries : [...entries, [key, value]])
}

/* ------------------------------------------------------------------------ */
/* Multipart bodies as bytes                                                 */
/* ------------------------------------------------------------------------ */

/** A part of a multipart/form-data body, as written: a file when it has a filename, a plain field otherwise. */
export interface MultipartPart {
  name: string
  filename?: string | undefined
  /** The filename as RFC 5987's `filename*=UTF-8''...`, rather than quoted as browsers send it. */
  starred?: boolean | undefined
  /** The Content-Type the part declares; undefined: none. */
  type?: string | undefined
  content: Uint8Array
  /** Headers written instead of Content-Disposition and Content-Type. */
  rawHeaders?: string[] | undefined
}

/**
 * A parameter value as browsers quote it in a part's header (the HTML
 * standard's form encoding): CR, LF and `"` percent-escaped, everything else
 * as its UTF-8 bytes, NUL included.
 */
function quotedParameter (value: string): string {
  return value.replace(/[\r\n"]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/**
 * A multipart/form-data body, written by hand: the platform's FormData cannot
 * write the bodies a server must refuse (no closing delimiter, bare LF line
 * ends, a part without Content-Disposition, names FormData would escape).
 */
export function multipartPayload (parts: readonly MultipartPart[], boundary: string, { newline = '\r\n', closed = true } = {}): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    let disposition = `Content-Disposition: form-data; name="${quotedParameter(part.name)}"`
    if (part.filename !== undefined) disposition += part.starred === true ? `; filename*=UTF-8''${percentEncode(part.filename)}` : `; filename="${quotedParameter(part.filename)}"`
    const headers = part.rawHeaders ?? [disposition, ...(part.type === undefined ? [] : [`Content-Type: ${part.type}`])]
    chunks.push(Buffer.from(`--${boundary}${newline}${headers.map((header) => `${header}${newline}`).join('')}${newline}`), Buffer.from(part.content), Buffer.from(newline))
  }
  if (closed) chunks.push(Buffer.from(`--${boundary}--${newline}`))
  return Buffer.concat(chunks)
}

/** The boundary, lengthened until no part's content holds its delimiter (which would end the part early). */
function unusedBoundary (boundary: string, parts: readonly MultipartPart[]): string {
  let unused = boundary
  while (parts.some((part) => Buffer.from(part.content).includes(`--${unused}`))) unused += 'z'
  return unused
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

/** The same value spelled with every character percent-encoded (`%66%75%7A%7A` for `fuzz`): a server must decode it alike. */
export function percentEncodeEvery (value: string): string {
  return [...Buffer.from(value)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
}

/** A value in its usual spelling, or sometimes with every character percent-encoded. */
function spelled (value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.oneof({ weight: 6, arbitrary: fc.constant(percentEncode) }, { weight: 1, arbitrary: fc.constant(percentEncodeEvery) }))
    .map(([text, spell]) => spell(text))
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

// Addresses the `email` format accepts, in forms a naive check may not.
const EDGE_EMAILS = [
  'a@b.co', 'o\'neil@example.com', 'UPPER.Case@EXAMPLE.COM', 'first.last+tag@mail.example.co.uk', '!#$%&\'*+/=?^_`{|}~-@example.com',
  'x@1.2', `${'l'.repeat(64)}@example.com`, 'dash-ok@sub-domain.example.org'
]
const BAD_EMAILS = [
  '', 'plain', '@example.com', 'a@', 'a@@example.com', 'a b@example.com', 'a@example', 'a..b@example.com', '.a@example.com', 'a.@example.com',
  'a@-example.com', 'a@example-.com', 'a@example..com', 'a@example.com.', 'é@example.com', 'a@exämple.com', '"quoted"@example.com',
  'a@[127.0.0.1]', 'a\u0000@example.com', 'a@example.com\n', ' a@example.com', 'a@example.com,b@example.com'
]

const email = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.stringMatching(/^[a-z0-9](?:[a-z0-9._+-]{0,14}[a-z0-9])?$/).filter((local) => !local.includes('..')), fc.constantFrom('example.com', 'example.org', 'mail.example.co.uk')).map(([local, domain]) => `${local}@${domain}`) },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_EMAILS) }
)

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
      case 'array': return this.validArray(s)
      case 'object': return this.validObject(s)
      default: return anyJson
    }
  }

  private validString (s: Schema): fc.Arbitrary<JsonNode> {
    if (s.format === 'date-time') return dateTime
    if (s.format === 'email') return email
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

  private validArray (s: Schema): fc.Arbitrary<JsonNode> {
    const minLength: number = s.minItems ?? 0
    const lengths = { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 4, 4)) }
    const items = this.valid(s.items ?? {})
    return s.uniqueItems === true ? fc.uniqueArray(items, { ...lengths, selector: jsonText }) : fc.array(items, lengths)
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
      if (s.format === 'email') arbitraries.push(fc.constantFrom(...BAD_EMAILS))
    }
    if (s.type === 'array') {
      const items = (s.items ?? {}) as Schema
      if (typeof s.minItems === 'number' && s.minItems > 0) arbitraries.push(fc.constant([] as JsonNode))
      if (typeof s.maxItems === 'number') arbitraries.push(fc.array(this.valid(items), { minLength: s.maxItems + 1, maxLength: s.maxItems + 3 }))
      if (s.uniqueItems === true) arbitraries.push(this.valid(items).map((item) => [item, item]))
      if (s.items !== undefined) arbitraries.push(fc.tuple(this.validArray(s), this.invalid(items)).map(([array, bad]) => [...(array as JsonNode[]), bad]))
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

/** Whether a schema is of bytes (`type: string, format: binary`): a file's content, not JSON. */
function isBinarySchema (schema: Schema): boolean {
  return schema.type === 'string' && schema.format === 'binary'
}

function sha256Hex (content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
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
  /** The task's id; undefined: the task the request's path names, as a client would send. */
  id: number | undefined
  weak: boolean
  /** 0: the task's current version; otherwise that far from it. */
  versionOffset: number
}

/**
 * The entity tag of an attachment's content (its SHA-256), resolved when
 * sent: of the attachment the request's path names, weakened, or one
 * character off.
 */
type ContentTagReference = 'current' | 'weak' | 'stale'

type HeaderValue = { text: string } | { tags: TagReference[], separator: string } | { repeated: string[] } | { contentTag: ContentTagReference }

/**
 * A path parameter's value: as sent, or one of the values that name
 * something existing when the request is sent (at this index, modulo their
 * number), since a project's slug changes when it is renamed.
 */
type PathValue = { text: string } | { existing: number, escaped: boolean }

export interface BodySpec {
  kind: string
  payload: string | Uint8Array
  /** null: no Content-Type header at all. */
  contentType: string | null
  /**
   * For a multipart form: the size and SHA-256 of each file part, in order,
   * which a 201 must answer one attachment each for; 'refused' when the
   * form breaks its schema (or a file is over the limit), so that no 201 may
   * answer it; undefined when the encoding leaves what a parser makes of it open.
   */
  uploads?: UploadedFile[] | 'refused' | undefined
}

export interface UploadedFile {
  size: number
  sha256: string
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
  /** A value for each path parameter of the operation, by name. */
  pathValues: Record<string, PathValue>
  trailingSlash: boolean
  query: QueryPiece[]
  headers: [string, HeaderValue][]
  /** The Authorization header, if any, and whether it may hold a token that works. */
  authorization: { header: HeaderValue | undefined, mayWork: boolean }
  body: BodySpec | undefined
}

/** A request as sent with `inject`. */
export interface SentRequest {
  method: string
  url: string
  headers: Record<string, string | string[]>
  payload?: string | Buffer
}

/**
 * Authorization headers, by what they hold: the run's own bearer token;
 * working personal access tokens; other working tokens (another user's,
 * fewer scopes, other spellings); tokens that an operation needing one must
 * refuse (revoked or unknown, a refresh token, access tokens tampered with
 * or forged); and headers of another shape (another scheme, `Bearer` alone).
 */
export type AuthorizationKind = 'run' | 'personal' | 'other' | 'refused' | 'malformed'
const REFUSED_AUTHORIZATIONS: ReadonlySet<AuthorizationKind> = new Set(['refused', 'malformed'])

/** What the generators know of the database: values to aim at, cursors to follow, bodies and tokens that work. */
export interface FuzzState {
  /**
   * Per path parameter, values that name something that exists (tasks,
   * projects, users, personal tokens): made before the run or by it, and
   * kept current when a project is renamed.
   */
  existing: Record<string, string[]>
  /** Per path parameter, values that named something once: deleted tasks, renamed projects' old slugs, revoked tokens. */
  former: Record<string, string[]>
  /** Each cursor with the operation and the query string of the page it came from. */
  cursors: { operationId: string, query: string, cursor: string }[]
  /** The last version seen of each task, from ETags. */
  versions: Map<number, number>
  /** The ETag of each attachment's content seen (its SHA-256), by the attachment's id. */
  contentTags: Map<number, string>
  /** Per operationId, bodies that succeed only with real data: a real user's password, a refresh token. */
  goodBodies: Record<string, BodySpec[]>
  authorizations: Record<AuthorizationKind, string[]>
}

const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', '4f1c2d3e-0b7a-4e55-9c1d-5b2f8a7e6d10']

const SPECIAL_PATH_VALUES = [
  '0', '-1', '-0', '00', '01', '+1', ' 1', '1 ', '1.0', '1.5', '1e3', '1e400', '-1e400', '0x1A', '0b1', '0o7', '1_000',
  'Infinity', '-Infinity', 'NaN', 'null', 'undefined', 'true', '[]', '{}', '9007199254740991', '9007199254740992',
  '9007199254740993', '18446744073709551616', '99999999999999999999999999999', '1,2', '1;2', '１', '٣', 'ⅰ', '*'
]
const ENCODED_PATH_VALUES = [
  '%00', '%zz', '%', '%%', '%E0%A4%A', '%ED%A0%80', '%FF', '%C0%AF', '%2F', '%2f', '%5C', '%3F', '%23', '%2e', '%2e%2e',
  '..', '.', '1%2Frestore', '%252F', '%20', '%0A', '%0D%0A', '%u0031', '%31', '%2B1', '1%00', '%EF%BB%BF1'
]

const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8', 'application/json; charset=utf-16',
  'application/json; charset="utf-8"', 'application/json; charset=latin1', 'text/plain', 'text/json', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/problem+json', 'application/jsonx',
  'application/json-patch+json', 'application/octet-stream', '', ' application/json', '*/*', 'application/*', 'json', 'application/json, text/plain'
]
const FORM_CONTENT_TYPES = [
  'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded;charset=latin1',
  'application/x-www-form-urlencodedx', 'application/x-www-form-urlencoded, application/json', 'application/json; x=application/x-www-form-urlencoded'
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

// What a form parser may trip on: empty names and values, repeats, array and
// prototype syntax, bad percent-escapes (and escapes of bytes UTF-8 has not).
const RAW_FORM_BODIES = [
  '=', '&', '&&=&', 'grant_type', 'grant_type=', 'grant_type=password&grant_type=refresh_token', 'grant_type[]=password', 'grant_type[0]=password',
  'grant_type=password&username=&password=', 'grant_type=password&username=a&password=b&username=c', '%zz=1', 'grant_type=%', 'grant_type=%E0%A4%A',
  'grant_type=password&username=%FF&password=%00', 'grant_type=password&username=a%00b&password=%ED%A0%80', '__proto__=x', '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1', 'grant_type=password;username=a;password=b', 'grant_type=password&username=a+b&password=c+d', 'grant_type = password',
  'grant_type=refresh_token&refresh_token=tapi_rt_', 'grant_type=refresh_token&refresh_token=', '\u0000=\u0000', 'grant_type=password&scope=%20%20&username=x&password=y'
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

// The longest file the fuzzed app takes (FUZZ_ENV's ATTACHMENT_MAX_BYTES): small,
// so that files at it and just over it cost little to send.
const FUZZ_ATTACHMENT_MAX_BYTES = 4096

// Names a server must never take as a path, nor show as they are: traversal,
// Windows' separators and device names, NUL, bidi overrides (`exe.jpg` shown
// for `gpj.exe`), invisible characters, markup, header injection, 300 characters.
const HOSTILE_FILENAMES = [
  '../../etc/passwd', '..\\x', '..\\..\\windows\\win.ini', '/etc/shadow', 'C:\\boot.ini', '\\\\server\\share\\x.txt', 'a/b/../../c.txt', '.', '..', '...',
  '', ' ', ' .txt', '.htaccess', 'CON', 'nul.txt', 'a\u0000b.txt', '\u0000', 'x.txt\u0000.exe', 'invoice\u202egpj.exe', '\u202e', '\u200b.txt', '\ufeffbom.txt',
  'tab\there.txt', 'new\nline.txt', 'a\r\nContent-Type: text/html', 'quote".txt', 'back\\slash', '%2e%2e%2fetc%2fpasswd', '<script>alert(1)</script>.html',
  '<img src=x onerror=alert(1)>.png', 'résumé.pdf', 'e\u0301.txt', 'ＡＢＣ.txt', '😀.png', '\ud800.txt', 'name.', 'name ', 'x'.repeat(300), `${'y'.repeat(296)}.txt`
]
const PLAIN_FILENAMES = ['report.txt', 'photo.png', 'notes', 'archive.tar.gz', 'page.html', 'drawing.svg', 'scan.pdf']

// What clients declare a file to be, which the server must not believe.
const DECLARED_TYPES = [
  'application/octet-stream', 'text/plain', 'text/plain; charset=utf-8', 'text/html', 'image/png', 'image/svg+xml', 'application/pdf', 'application/json',
  'application/x-msdownload', 'image/png; name="x.html"', 'multipart/form-data; boundary=inner', 'x', '', '*/*', 'TEXT/PLAIN'
]

const bytes = (...values: number[]) => Buffer.from(values)
// Whole images of one pixel, whose size can be read: what takes only a real image takes them.
const PIXEL_PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082', 'hex')
const PIXEL_GIF = Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex')
// Starts of files the server tells the type of: images shown inline, markup
// that must never be, text with and without byte order marks, archives.
const FILE_HEADS = [
  PIXEL_PNG, PIXEL_GIF, bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52), Buffer.from('GIF89a'), bytes(0xff, 0xd8, 0xff, 0xe0),
  Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '), Buffer.from('%PDF-1.7\n'), bytes(0x50, 0x4b, 0x03, 0x04), bytes(0x1f, 0x8b, 0x08),
  Buffer.from('<!doctype html><script>alert(document.domain)</script>'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'),
  Buffer.from('<?xml version="1.0"?><svg/>'), Buffer.from('  <html><body>'), bytes(0xef, 0xbb, 0xbf), bytes(0xff, 0xfe), bytes(0xfe, 0xff), Buffer.from('plain text\n')
]

/** Generators of requests for every operation of the document. */
export class RequestGenerators {
  private readonly values: SchemaValues

  constructor (readonly operations: Operation[], document: OpenApiDocument, private readonly state: FuzzState) {
    this.values = new SchemaValues(document)
  }

  /** Any request: an operation of the document, sometimes with another method. */
  request (): fc.Arbitrary<RequestSpec> {
    // A request line and headers over the HTTP server's limit never reach the app
    // (431). Judged without the state, so that what is generated never depends
    // on what earlier runs did.
    const stateless = { existing: {}, versions: new Map<number, number>(), contentTags: new Map<number, string>() }
    return fc.oneof(...this.operations.map((operation) => this.requestFor(operation)))
      .filter((spec) => headSize(materialize(spec, stateless)) <= MAX_HEAD_BYTES)
  }

  requestFor (operation: Operation): fc.Arbitrary<RequestSpec> {
    const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path')
    const goodBodies = this.state.goodBodies[operation.operationId] ?? []
    const bodies: fc.WeightedArbitrary<BodySpec | undefined>[] = operation.bodySchema === undefined
      ? [{ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: this.body({ type: 'object' }, JSON_MEDIA_TYPE) }]
      : operation.bodyMediaType === MULTIPART_MEDIA_TYPE
        // A form of files also gets the JSON bodies of every kind, as other content types.
        ? [{ weight: 16, arbitrary: this.multipartBody(operation.bodySchema) }, { weight: 2, arbitrary: this.body(operation.bodySchema, JSON_MEDIA_TYPE) }, { weight: 1, arbitrary: fc.constant(undefined) }]
        : [{ weight: 20, arbitrary: this.body(operation.bodySchema, operation.bodyMediaType ?? JSON_MEDIA_TYPE) }, { weight: 1, arbitrary: fc.constant(undefined) }]
    if (goodBodies.length > 0) bodies.push({ weight: 4, arbitrary: fc.constantFrom(...goodBodies) })
    return fc.record({
      operationId: fc.constant(operation.operationId),
      method: fc.oneof({ weight: 15, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') }),
      path: fc.constant(operation.path),
      pathValues: fc.record(Object.fromEntries(pathParameters.map((parameter) => [parameter.name, this.pathValue(parameter)]))),
      trailingSlash: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      query: this.query(operation),
      headers: this.headers(operation),
      authorization: this.authorization(operation),
      body: fc.oneof(...bodies)
    })
  }

  /**
   * Values of a path parameter: of things that exist or existed (tasks,
   * projects and their old slugs, users, tokens), valid but absent, invalid,
   * and every kind of garbage.
   */
  private pathValue (parameter: Parameter): fc.Arbitrary<PathValue> {
    const existing = this.state.existing[parameter.name] ?? []
    const former = this.state.former[parameter.name] ?? []
    const garbage = fc.tuple(text(0, 30), fc.boolean()).map(([value, raw]) => raw ? sanitizeRawSegment(value) : percentEncode(value))
    const texts: fc.WeightedArbitrary<string>[] = [
      { weight: 2, arbitrary: this.values.valid(parameter.schema).map((value) => percentEncode(queryText(value))) },
      { weight: 3, arbitrary: this.values.invalid(parameter.schema).map((value) => percentEncode(queryText(value))) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map(String) },
      { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_PATH_VALUES).map(percentEncode) },
      { weight: 2, arbitrary: fc.constantFrom(...ENCODED_PATH_VALUES) },
      { weight: 2, arbitrary: garbage },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 90, max: 600 }), fc.constantFrom('1', 'a', '%C3%A9')).map(([length, unit]) => unit.repeat(length)) }
    ]
    if (former.length > 0) texts.unshift({ weight: 2, arbitrary: spelled(fc.constantFrom(...former)) })
    const values = texts.map(({ weight, arbitrary }): fc.WeightedArbitrary<PathValue> => ({ weight, arbitrary: arbitrary.map((value) => ({ text: value })) }))
    const escaped = fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
    if (existing.length > 0) values.unshift({ weight: 16, arbitrary: fc.record({ existing: fc.nat(), escaped }) })
    return fc.oneof(...values)
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
    const cursors = this.state.cursors.filter((cursor) => cursor.operationId === operation.operationId)
    if (parameters.some((parameter) => parameter.name === 'cursor') && cursors.length > 0) {
      arbitraries.push({ weight: 4, arbitrary: this.followCursor(parameters, cursors) })
    }
    return fc.oneof(...arbitraries)
  }

  /** A stored cursor with the query it came from, sometimes with a new limit or one parameter changed. */
  private followCursor (parameters: Parameter[], cursors: FuzzState['cursors']): fc.Arbitrary<QueryPiece[]> {
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
    return fc.tuple(fc.constantFrom(...cursors), change, tamper).map(([{ query, cursor }, changed, alter]) => {
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
    // An attachment's content has an ETag of its own (its SHA-256), not a task's.
    const addressesContent = operation.parameters.some((parameter) => parameter.in === 'path' && parameter.name === 'attachment_id')
    const contentTag = fc.constantFrom<ContentTagReference>('current', 'current', 'weak', 'stale').map((reference): HeaderValue => ({ contentTag: reference }))
    const conditional = fc.oneof(
      { weight: 4, arbitrary: addressesContent ? contentTag : fc.array(this.tagReference(), { minLength: 1, maxLength: 3 }).chain((tags) => fc.constantFrom(', ', ',', ' , ').map((separator): HeaderValue => ({ tags, separator }))) },
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
    // Only where declared (elsewhere `range` is among the other headers, as garbage):
    // a range mostly, If-Range less often, since but its current tag it makes the range ignored.
    const declaredHeader = (name: string, value: fc.Arbitrary<HeaderValue>, presence: number) => !declared.has(name)
      ? fc.constant([] as [string, HeaderValue][])
      : fc.oneof({ weight: 4, arbitrary: fc.constant([] as [string, HeaderValue][]) }, { weight: presence, arbitrary: value.map((v): [string, HeaderValue][] => [[name, v]]) })
    const ifRange = fc.oneof(
      { weight: 4, arbitrary: contentTag },
      { weight: 1, arbitrary: fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', '*', '"1-1"', '', '"a", "b"').map((value): HeaderValue => ({ text: value })) },
      { weight: 1, arbitrary: headerText(0, 80).map((value): HeaderValue => ({ text: value })) }
    )
    return fc.tuple(
      header('if-match', conditional),
      header('if-none-match', conditional),
      header('idempotency-key', idempotencyKey),
      declaredHeader('range', byteRange.map((value): HeaderValue => ({ text: value })), 6),
      declaredHeader('if-range', ifRange, 1),
      fc.oneof({ weight: 6, arbitrary: fc.constant([] as [string, HeaderValue][]) }, {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom('x-request-id', 'accept', 'accept-encoding', 'origin', 'x-forwarded-for', 'range', 'if-modified-since', 'expect'), headerText(0, 200))
          .map(([name, value]): [string, HeaderValue][] => [[name, { text: value }]])
      })
    ).map((groups) => groups.flat())
  }

  /**
   * The Authorization header: mostly none where the operation may be called
   * without a token (AUTH=off), the run's token where it may not; otherwise
   * a personal access token, another that works, one to refuse, another
   * shape, garbage, or the header twice.
   */
  private authorization (operation: Operation): fc.Arbitrary<RequestSpec['authorization']> {
    const { authorizations } = this.state
    const weights: Record<AuthorizationKind, number> = { run: operation.anonymous ? 3 : 24, personal: 2, other: 1, refused: 3, malformed: 1 }
    const kinds: fc.WeightedArbitrary<RequestSpec['authorization']>[] = [
      { weight: operation.anonymous ? 24 : 1, arbitrary: fc.constant({ header: undefined, mayWork: false }) },
      { weight: 1, arbitrary: headerText(0, 80).map((value) => ({ header: { text: value }, mayWork: false })) }
    ]
    const every: { value: string, mayWork: boolean }[] = []
    for (const [kind, weight] of Object.entries(weights) as [AuthorizationKind, number][]) {
      const values = authorizations[kind].map((value) => ({ value, mayWork: !REFUSED_AUTHORIZATIONS.has(kind) }))
      every.push(...values)
      if (values.length > 0) kinds.push({ weight, arbitrary: fc.constantFrom(...values).map(({ value, mayWork }) => ({ header: { text: value }, mayWork })) })
    }
    // Sent twice, the header counts with its first value (Node discards the repeat).
    if (every.length > 0) {
      kinds.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...every), fc.constantFrom(...every)).map(([first, second]) => ({ header: { repeated: [first.value, second.value] }, mayWork: first.mayWork })) })
    }
    return fc.oneof(...kinds)
  }

  private tagReference (): fc.Arbitrary<TagReference> {
    const taskIds = [...(this.state.existing.task_id ?? []), ...(this.state.former.task_id ?? [])].map(Number)
    return fc.record({
      id: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom<number | undefined>(...taskIds) },
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }
      ),
      weak: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      versionOffset: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) })
    })
  }

  /**
   * Bodies: valid ones from the schema, and every way of getting one wrong,
   * in the media type the operation reads (JSON or a form); a form's
   * operation also gets JSON.
   */
  body (schema: Schema, mediaType: string): fc.Arbitrary<BodySpec> {
    const resolved = this.values.resolve(schema)
    const properties = Object.keys(resolved.properties ?? {})
    const required = (resolved.required ?? []) as string[]
    const valid = this.values.valid(schema)
    const form = mediaType === FORM_MEDIA_TYPE
    const encode = form ? formText : jsonText
    const encoded = (kind: string, node: fc.Arbitrary<JsonNode>) => node.map((value) => ({ kind, text: encode(value) }))

    const texts: fc.WeightedArbitrary<{ kind: string, text: string | Uint8Array }>[] = [
      { weight: 8, arbitrary: encoded('valid', valid) },
      { weight: 1, arbitrary: encoded('unknown member', fc.tuple(valid, this.memberName(), anyJson).map(([body, key, value]) => withMember(body, key, value))) },
      { weight: 1, arbitrary: encoded('prototype pollution', fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([body, key]) => withMember(body, key, new JsonObject([['prototype', new JsonObject([['polluted', true]])], ['polluted', true]])))) },
      { weight: 1, arbitrary: encoded('any JSON', anyJson) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'), fc.constantFrom(...properties, 'zz', '')).map(([depth, container, key]) => ({ kind: 'deeply nested', text: encode(key === '' ? nested(depth, container) : new JsonObject([['title', 'nested'], [key, nested(depth, container)]])) })) },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES, ...(form ? RAW_FORM_BODIES : [])).map((value) => ({ kind: 'raw text', text: value })) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8_BODIES).map((value) => ({ kind: 'invalid UTF-8', text: value as Uint8Array })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((index) => ({ kind: 'huge', text: hugeBodyTexts()[index] as string })) }
    ]
    if (properties.length > 0) {
      texts.push({ weight: 5, arbitrary: encoded('one invalid member', fc.oneof(...properties.map((name) => fc.tuple(valid, this.values.invalid(resolved.properties[name])).map(([body, bad]) => withMember(body, name, bad))))) })
      texts.push({ weight: 1, arbitrary: encoded('duplicate member', fc.tuple(valid, fc.constantFrom(...properties), anyJson).map(([body, key, value]) => body instanceof JsonObject ? new JsonObject([...body.entries, [key, value]]) : body)) })
    }
    if (required.length > 0) {
      texts.push({ weight: 1, arbitrary: encoded('required member missing', fc.tuple(valid, fc.constantFrom(...required)).map(([body, key]) => withMember(body, key, undefined))) })
    }
    const contentType = fc.oneof(
      { weight: 20, arbitrary: fc.constant<string | null>(mediaType) },
      { weight: 2, arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES, ...(form ? FORM_CONTENT_TYPES : [])) },
      { weight: 1, arbitrary: fc.constant<string | null>(null) }
    )
    const bodies = fc.tuple(fc.oneof(...texts), contentType).map(([{ kind, text }, type]): BodySpec => ({ kind, payload: text, contentType: type }))
    if (!form) return bodies
    const asJson = valid.map((value): BodySpec => ({ kind: 'JSON for a form', payload: jsonText(value), contentType: JSON_MEDIA_TYPE }))
    return fc.oneof({ weight: 6, arbitrary: bodies }, { weight: 1, arbitrary: asJson })
  }

  /**
   * multipart/form-data bodies for a schema of files (`format: binary`
   * strings, or arrays of them) and text fields: valid forms of one to three
   * small files with hostile names and any declared type; forms the schema
   * refuses (a field part, a part of another name, an empty file, no part, a
   * file over the limit); and encodings a parser must refuse or read alike.
   */
  multipartBody (schema: Schema): fc.Arbitrary<BodySpec> {
    const resolved = this.values.resolve(schema)
    const properties = Object.entries((resolved.properties ?? {}) as Record<string, Schema>).map(([name, property]) => [name, this.values.resolve(property)] as const)
    const required = new Set((resolved.required ?? []) as string[])
    const isFiles = (property: Schema) => isBinarySchema(property) || (property.type === 'array' && isBinarySchema(this.values.resolve(property.items ?? {})))
    const fileNames = properties.filter(([, property]) => isFiles(property)).map(([name]) => name)
    const otherName = fc.oneof(
      fc.constantFrom('files', 'File', 'FILE', 'file[]', 'file[0]', 'file ', ' file', 'file\u0000', 'upload', 'name', '', '__proto__', 'constructor'),
      text(1, 12)
    ).filter((name) => !properties.some(([property]) => property === name))
    const fieldValue = text(0, 40).map((value) => Buffer.from(value))

    const filePart = (name: string): fc.Arbitrary<MultipartPart> => fc.record({
      name: fc.constant(name),
      filename: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...PLAIN_FILENAMES) },
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FILENAMES) },
        { weight: 2, arbitrary: text(0, 40) }
      ),
      starred: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      type: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom<string | undefined>(...DECLARED_TYPES) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerText(0, 60) }
      ),
      content: fc.oneof(
        { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }) },
        { weight: 3, arbitrary: text(1, 300).map((value) => Buffer.from(value)) },
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...FILE_HEADS), fc.uint8Array({ maxLength: 1500 })).map(([head, tail]) => Buffer.concat([head, tail])) },
        { weight: 1, arbitrary: fc.constantFrom(FUZZ_ATTACHMENT_MAX_BYTES - 1, FUZZ_ATTACHMENT_MAX_BYTES).map((size) => Buffer.alloc(size, 'at the limit ')) }
      )
    })
    // What the schema asks: each file field one file, or one to three for an array; text fields a valid value.
    const validParts = fc.tuple(...properties.map(([name, property]) => {
      const optional = (parts: fc.Arbitrary<MultipartPart[]>) => required.has(name) ? parts : fc.oneof(parts, fc.constant([]))
      if (property.type === 'array' && fileNames.includes(name)) {
        return fc.array(filePart(name), { minLength: Math.max(property.minItems ?? 0, required.has(name) ? 1 : 0), maxLength: Math.min(property.maxItems ?? 3, 3) })
      }
      if (fileNames.includes(name)) return optional(filePart(name).map((part) => [part]))
      return optional(this.values.valid(property).map((value): MultipartPart[] => [{ name, content: Buffer.from(queryText(value)) }]))
    })).map((groups) => groups.flat())

    type Form = { kind: string, parts: MultipartPart[], refused: boolean }
    const at = (parts: MultipartPart[], index: number) => index % (parts.length + 1)
    const inserted = (parts: MultipartPart[], index: number, part: MultipartPart) => [...parts.slice(0, at(parts, index)), part, ...parts.slice(at(parts, index))]
    // The file part at `index` (modulo their number) changed.
    const replaced = (parts: MultipartPart[], index: number, change: Partial<MultipartPart>) => {
      const files = parts.filter((part) => part.filename !== undefined)
      return parts.map((part) => part === files[index % files.length] ? { ...part, ...change } : part)
    }
    const withFiles = validParts.filter((parts) => parts.some((part) => part.filename !== undefined))
    const anyFileName = fileNames.length === 0 ? otherName : fc.constantFrom(...fileNames)
    // A form that only a real image satisfies (a picture) gets one too: a pixel per file field.
    const images = fc.tuple(...fileNames.map((name) => fc.constantFrom(PIXEL_PNG, PIXEL_GIF).map((content): MultipartPart => ({ name, filename: 'pixel', type: 'image/png', content }))))
    const forms = fc.oneof(
      { weight: 10, arbitrary: validParts.map((parts): Form => ({ kind: 'valid', parts, refused: false })) },
      { weight: 2, arbitrary: images.map((parts): Form => ({ kind: 'an image per file field', parts, refused: parts.length === 0 && required.size > 0 })) },
      { weight: 1, arbitrary: fc.tuple(validParts, fc.nat(), fc.oneof(anyFileName, otherName), fieldValue).map(([parts, index, name, content]): Form => ({ kind: 'a field part', parts: inserted(parts, index, { name, content }), refused: true })) },
      { weight: 1, arbitrary: fc.tuple(validParts, fc.nat(), otherName).chain(([parts, index, name]) => filePart(name).map((part): Form => ({ kind: 'a part of another name', parts: inserted(parts, index, part), refused: true }))) },
      { weight: 1, arbitrary: fc.tuple(withFiles, fc.nat()).map(([parts, index]): Form => ({ kind: 'an empty file', parts: replaced(parts, index, { content: Buffer.alloc(0) }), refused: true })) },
      {
        weight: 2,
        arbitrary: fc.tuple(withFiles, fc.nat(), fc.integer({ min: FUZZ_ATTACHMENT_MAX_BYTES + 1, max: FUZZ_ATTACHMENT_MAX_BYTES + 600 }))
          .map(([parts, index, size]): Form => ({ kind: 'a file over the limit', parts: replaced(parts, index, { content: Buffer.alloc(size, 'over the limit ') }), refused: true }))
      },
      { weight: 1, arbitrary: fc.constant<Form>({ kind: 'no part', parts: [], refused: required.size > 0 }) }
    )

    // How the form is written and labelled; `intact`: every part arrives as written, or the parser must refuse it.
    type Encoding = { kind: string, encode: (parts: MultipartPart[], boundary: string) => Buffer, contentType: (boundary: string) => string | null, intact: boolean }
    const plain = (parts: MultipartPart[], boundary: string) => multipartPayload(parts, boundary)
    const labelled = (boundary: string) => `${MULTIPART_MEDIA_TYPE}; boundary=${boundary}`
    const encodings = fc.oneof(
      { weight: 12, arbitrary: fc.constant<Encoding>({ kind: 'as browsers write it', encode: plain, contentType: labelled, intact: true }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom<Encoding['contentType']>(
          (boundary) => `${MULTIPART_MEDIA_TYPE}; boundary="${boundary}"`, (boundary) => `${MULTIPART_MEDIA_TYPE};boundary=${boundary}`,
          (boundary) => `Multipart/Form-Data; BOUNDARY=${boundary}`, (boundary) => `${MULTIPART_MEDIA_TYPE}; charset=utf-8; boundary=${boundary}`
        ).map((contentType): Encoding => ({ kind: 'labelled otherwise', encode: plain, contentType, intact: true }))
      },
      {
        weight: 1,
        arbitrary: fc.tuple(headerText(0, 200), headerText(0, 200)).map(([preamble, epilogue]): Encoding => ({
          kind: 'with a preamble and an epilogue',
          encode: (parts, boundary) => Buffer.concat([Buffer.from(`${preamble.replace(/-/g, '')}\r\n`), plain(parts, boundary), Buffer.from(epilogue)]),
          contentType: labelled,
          intact: true
        }))
      },
      {
        weight: 1,
        // Cut anywhere but before its first byte (an empty body, below) or in its last two (the CRLF after the closing delimiter, which a parser may do without).
        arbitrary: fc.integer({ min: 1, max: 2 ** 30 }).map((position): Encoding => ({
          kind: 'cut short',
          encode: (parts, boundary) => {
            const payload = plain(parts, boundary)
            return payload.subarray(0, 1 + position % (payload.length - 3))
          },
          contentType: labelled,
          intact: true
        }))
      },
      { weight: 1, arbitrary: fc.constant<Encoding>({ kind: 'without its closing delimiter', encode: (parts, boundary) => multipartPayload(parts, boundary, { closed: false }), contentType: labelled, intact: true }) },
      { weight: 1, arbitrary: fc.constant<Encoding>({ kind: 'with bare LF line ends', encode: (parts, boundary) => multipartPayload(parts, boundary, { newline: '\n' }), contentType: labelled, intact: false }) },
      {
        weight: 1,
        // A part a parser may skip: without Content-Disposition, of another disposition, without a name, over the header limit.
        arbitrary: fc.tuple(fc.nat(), fc.constantFrom(
          ['Content-Type: text/plain'], [], ['Content-Disposition: attachment; filename="x.txt"'], ['Content-Disposition: form-data'],
          ['Content-Disposition: form-data; name=file; filename=unquoted.txt'], Array.from({ length: 30 }, (_, index) => `X-Header-${index}: ${index}`)
        )).map(([index, rawHeaders]): Encoding => ({
          kind: 'with a part of other headers',
          encode: (parts, boundary) => plain(inserted(parts, index, { name: 'file', rawHeaders, content: Buffer.from('other headers') }), boundary),
          contentType: labelled,
          intact: false
        }))
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Encoding['contentType']>(
          () => MULTIPART_MEDIA_TYPE, () => `${MULTIPART_MEDIA_TYPE}; boundary=`, () => `${MULTIPART_MEDIA_TYPE}; charset=utf-8`, (boundary) => `${MULTIPART_MEDIA_TYPE}; boundary=${boundary}x`
        ).map((contentType): Encoding => ({ kind: 'without its boundary', encode: plain, contentType, intact: true }))
      },
      { weight: 1, arbitrary: fc.constant<Encoding>({ kind: 'empty', encode: () => Buffer.alloc(0), contentType: labelled, intact: false }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom<Encoding['contentType']>(
          () => null, () => 'text/plain', () => 'application/octet-stream', () => FORM_MEDIA_TYPE, (boundary) => `multipart/mixed; boundary=${boundary}`,
          (boundary) => `multipart/form-datax; boundary=${boundary}`, (boundary) => `application/json; boundary=${boundary}`
        ).map((contentType): Encoding => ({ kind: 'of another media type', encode: plain, contentType, intact: true }))
      }
    )
    const boundary = fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^[0-9A-Za-z]{8,40}$/).map((random) => `----fuzz${random}`) },
      { weight: 1, arbitrary: fc.constantFrom('x', '-'.repeat(70), 'a+b_c,d.e/f:g=h?i', '\'()+_,-./:=?') }
    )
    const multipart = fc.tuple(forms, encodings, boundary).map(([form, encoding, chosen]): BodySpec => {
      const separator = unusedBoundary(chosen, form.parts)
      const files = form.parts.filter((part) => part.filename !== undefined && part.rawHeaders === undefined)
      return {
        kind: `multipart: ${form.kind}, ${encoding.kind}`,
        payload: encoding.encode(form.parts, separator),
        contentType: encoding.contentType(separator),
        uploads: form.refused ? 'refused' : encoding.intact ? files.map(({ content }) => ({ size: content.length, sha256: sha256Hex(content) })) : undefined
      }
    })
    // The form's own value as JSON, which a form of files cannot be.
    const asJson = this.values.valid(schema).map((value): BodySpec => ({ kind: 'JSON for a multipart form', payload: jsonText(value), contentType: JSON_MEDIA_TYPE }))
    return fc.oneof({ weight: 12, arbitrary: multipart }, { weight: 1, arbitrary: asJson })
  }

  private memberName (): fc.Arbitrary<string> {
    return fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'Title', 'title ', 'TITLE', 'id', 'version', 'created_at', 'updated_at', 'deleted_at', 'priorty', '$ref', '\u0000', 'title\u0000'),
      text(1, 20)
    )
  }
}

/**
 * Range headers: one range within a small file or past its end, suffixes and
 * open ends, several ranges (answered whole), and malformed ones.
 */
const byteRange = fc.oneof(
  // Most files the run meets are tens of bytes long, some a few thousand.
  { weight: 6, arbitrary: fc.tuple(fc.nat(30), fc.nat(100)).map(([first, length]) => `bytes=${first}-${first + length}`) },
  { weight: 3, arbitrary: fc.constantFrom('bytes=0-', 'bytes=0-0', 'bytes=1-', 'bytes=-1', 'bytes=-100', 'bytes=0-99999') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'bytes=100000-', 'bytes=5000-5001', 'bytes=-0', 'bytes=0-1,3-4', 'bytes=0-1, 0-1', 'bytes=3-1', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=a-b',
      ' bytes=0-1', 'bytes = 0-1', 'bytes=0-1,', 'BYTES=0-1', 'bytes=99999999999999999999-', 'bytes=0-99999999999999999999', 'bytes=-99999999999999999999'
    )
  },
  { weight: 1, arbitrary: headerText(0, 40) }
)

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

/** The text of a path parameter's value, as it goes in the URL. */
function pathText (value: PathValue | undefined, existing: string[]): string {
  if (value === undefined) return ''
  if ('text' in value) return value.text
  const text = existing[value.existing % existing.length] ?? ''
  return value.escaped ? percentEncodeEvery(text) : percentEncode(text)
}

/** The request to send, with path values and ETags read from what the run has seen so far. */
export function materialize (spec: RequestSpec, state: Pick<FuzzState, 'existing' | 'versions' | 'contentTags'>): SentRequest {
  const pathValues: Record<string, string> = {}
  for (const [name, value] of Object.entries(spec.pathValues)) pathValues[name] = pathText(value, state.existing[name] ?? [])
  let path = spec.path.replace(/\{([^}]+)\}/g, (_, name: string) => pathValues[name] ?? '')
  const addressedTask = Number(pathValues.task_id)
  const tag = ({ id = Number.isSafeInteger(addressedTask) ? addressedTask : 0, weak, versionOffset }: TagReference) => `${weak ? 'W/' : ''}"${id}-${(state.versions.get(id) ?? 1) + versionOffset}"`
  // An attachment not seen yet has some tag all the same: one of no content.
  const current = state.contentTags.get(Number(pathValues.attachment_id)) ?? `"${sha256Hex(Buffer.alloc(0))}"`
  const contentTag = (reference: ContentTagReference) => reference === 'weak' ? `W/${current}` : reference === 'stale' ? current.replace(/.(?="$)/, (last) => last === '0' ? '1' : '0') : current
  if (spec.trailingSlash) path += '/'
  const query = spec.query.map(({ name, value, raw }) => value === undefined ? encodeQueryPart(name, raw) : `${encodeQueryPart(name, raw)}=${encodeQueryPart(value, raw)}`).join('&')
  const headers: Record<string, string | string[]> = {}
  const authorization: [string, HeaderValue][] = spec.authorization.header === undefined ? [] : [['authorization', spec.authorization.header]]
  for (const [name, value] of [...spec.headers, ...authorization]) {
    if ('text' in value) headers[name] = value.text
    else if ('repeated' in value) headers[name] = value.repeated
    else if ('contentTag' in value) headers[name] = contentTag(value.contentTag)
    else headers[name] = value.tags.map(tag).join(value.separator)
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
    const { pathname } = parsedUrl(url)
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

  /**
   * What is wrong with this response to this request: nothing when the list
   * is empty. `tokenMayWork` false: the request has no token that could work.
   */
  check (request: SentRequest, response: LightMyRequestResponse, tokenMayWork = true): string[] {
    const status = response.statusCode
    if (isWebEntry(request.url)) return checkWebEntry(request, response)
    const operation = this.operationFor(request.method, request.url)
    const where = operation === undefined ? 'a path and method no operation documents' : operation.operationId
    const documented = operation?.responses[String(status)]
    // Security that needs a token is checked first: only the router's own 400 (a malformed URL) comes before it.
    if (operation !== undefined && !operation.anonymous && !tokenMayWork && status !== 401 && status !== 400) {
      return [`${status} from ${where} to a request without a working token, where its security needs one (a 401)`]
    }
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
    // A documented client error is held to its documentation: problem details, or what else it says (RFC 6749's errors).
    if (operation !== undefined && documented !== undefined) return this.checkDocumented(request, response, operation, documented)
    if (!(operation === undefined ? FRAMEWORK_STATUSES_OFF_ROUTES : FRAMEWORK_STATUSES_ON_ROUTES).has(status)) {
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
    // Bytes (a binary string schema) are served with the type of what they are,
    // which the document cannot list: any well-formed type then, but a problem's; and unparsed.
    const binary = content.find(([, { schema }]) => isBinarySchema(schema))
    const anyType = type !== undefined && /^[\w.+-]+\/[\w.+-]+$/.test(type) && type !== PROBLEM_MEDIA_TYPE
    const entry = content.find(([media]) => media === type) ?? (binary !== undefined && anyType ? binary : undefined)
    if (entry === undefined) {
      violations.push(`content-type ${String(response.headers['content-type'])} is not documented for ${response.statusCode} (${content.map(([media]) => media).join(', ')})`)
      return violations
    }
    if (isBinarySchema(entry[1].schema)) return violations
    let body: unknown
    try {
      body = JSON.parse(response.body)
    } catch {
      violations.push(`the body is not JSON: ${truncate(response.body, 200)}`)
      return violations
    }
    const validate = this.validator(entry[1].schema)
    if (!validate(body)) violations.push(`the body does not match the ${response.statusCode} schema of ${operation.operationId}: ${this.ajv.errorsText(validate.errors)}`)
    const said = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined
    if (response.statusCode >= 400 && said !== response.statusCode) violations.push(`the error says status ${String(said)}, the response is a ${response.statusCode}`)
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

/** A request's URL (a path and query) as the server reads it: `//x` is a path, not a host. */
/**
 * Whether the URL leads to `/`, the web pages' entry, which is no operation
 * of the API: a path parameter `..` gets there (`/tasks/..` is `/`).
 */
function isWebEntry (url: string): boolean {
  return parsedUrl(url).pathname === '/'
}

/** `/` sends a browser on to the task list (GET, HEAD); any other method there is a client error. */
function checkWebEntry (request: SentRequest, response: LightMyRequestResponse): string[] {
  const { statusCode: status, headers } = response
  if (request.method !== 'GET' && request.method !== 'HEAD') return status >= 400 && status < 500 ? [] : [`${status} from ${request.method} /, where only a client error is expected`]
  return status === 303 && headers.location === '/web/tasks' ? [] : [`${status} from ${request.method} / (the web pages' entry), not a 303 to /web/tasks`]
}

function parsedUrl (url: string): URL {
  return new URL(url.startsWith('//') ? `http://localhost${url}` : url, 'http://localhost')
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

/** Who a run acts as, and what the fuzzer may know of the app's secrets. */
export interface Credentials {
  /**
   * The bearer token the run acts with, sent with most requests to
   * operations that need one (with AUTH=on, an administrator's). Without it
   * most requests go without a token, as the local administrator of AUTH=off.
   */
  authorization?: string | undefined
  /** The app's JWT_SECRET, to forge tokens it signs but never issued (expired ones, say); without it, only tampered ones are sent. */
  jwtSecret?: string | undefined
}

const SCOPES = ['tasks:read', 'tasks:write', 'projects:read', 'projects:write', 'users:admin']

// The user whose password the known-good sign-ins send. It is not among the
// usernames generated requests aim at, so no PATCH /admin/users can disable it.
const SIGN_IN_USER = { username: 'fuzz-signin', email: 'fuzz-signin@example.com', password: 'the fuzzer signs in with this' }
const TARGET_USERS = [
  { username: 'fuzz-ada', email: 'ada@example.com', password: 'ada password 1', display_name: 'Ada' },
  { username: 'fuzz-bob', email: 'bob@example.org', password: 'bob password 2', role: 'admin' },
  { username: 'fuzz-eve', email: 'eve@example.net', password: 'eve password 3', display_name: 'Ève 😀' }
]

/** The form of a token request. */
export function tokenForm (fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

/** The tokens POST /auth/token answers a form with. */
export async function issuedTokens (app: Injector, form: string): Promise<{ access_token: string, refresh_token: string }> {
  const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': FORM_MEDIA_TYPE }, payload: form })
  if (response.statusCode !== 200) throw new Error(`POST /auth/token answered ${response.statusCode}: ${response.body}`)
  return response.json() as { access_token: string, refresh_token: string }
}

/**
 * What the generators aim at, created through the API as the run's
 * principal: users (one of them to sign in as), personal tokens, projects
 * (one renamed, for its old slug's redirect) with members, tasks (some in
 * projects, some soft-deleted for restore), cursors of a few list pages (to
 * follow and to tamper with), known-good bodies, and Authorization headers
 * of every kind.
 */
export async function prepareState (app: Injector, { authorization, jwtSecret }: Credentials = {}): Promise<FuzzState> {
  const asRun: Record<string, string> = authorization === undefined ? {} : { authorization: `Bearer ${authorization}` }
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, expected: number, payload?: object | Buffer, headers: Record<string, string> = {}) => {
    const response = await app.inject({ method, url, headers: { ...asRun, ...headers }, ...(payload === undefined ? {} : { payload }) })
    if (response.statusCode !== expected) throw new Error(`preparing the state: ${method} ${url} answered ${response.statusCode}, not ${expected}: ${response.body}`)
    return response
  }

  for (const user of [SIGN_IN_USER, ...TARGET_USERS]) await call('POST', '/users', 201, user)
  const signInForm = tokenForm({ grant_type: 'password', username: SIGN_IN_USER.username, password: SIGN_IN_USER.password })
  const member = await issuedTokens(app, signInForm)
  const reader = await issuedTokens(app, tokenForm({ grant_type: 'password', username: SIGN_IN_USER.username, password: SIGN_IN_USER.password, scope: 'tasks:read' }))
  const refreshable = await issuedTokens(app, signInForm)
  const runToken = authorization ?? member.access_token

  const personalToken = async (name: string, scopes: string[]) => (await call('POST', '/users/me/tokens', 201, { name, scopes })).json() as { id: number, token: string }
  const everyScope = await personalToken('fuzz: every scope', SCOPES)
  const readOnly = await personalToken('fuzz: read only', ['tasks:read', 'projects:read'])
  const targetTokens = [await personalToken('fuzz 1', SCOPES), await personalToken('fuzz 2', ['tasks:read']), await personalToken('fuzz 3', ['projects:write'])]
  const revoked = await personalToken('fuzz: revoked', SCOPES)
  await call('DELETE', `/users/me/tokens/${revoked.id}`, 204)

  const project = async (body: object) => ((await call('POST', '/projects', 201, body)).json() as { slug: string }).slug
  const alpha = await project({ name: 'Fuzz alpha', slug: 'fuzz-alpha', description: 'holds tasks' })
  const beta = await project({ name: 'Fuzz beta' })
  const transliterated = await project({ name: 'Ünïcödé Café déjà vu!', description: null })
  const oldSlug = await project({ name: 'Fuzz gamma', slug: 'fuzz-gamma' })
  const gamma = ((await call('PATCH', `/projects/${oldSlug}`, 200, { slug: 'fuzz-gamma-renamed' })).json() as { slug: string }).slug
  const delta = await project({ name: 'Fuzz delta', slug: 'fuzz-delta' })
  // The projects that hold tasks (which last longer than empty ones) each have
  // all target users but one as members, in every role: PUT can add or change.
  const roles = ['viewer', 'editor', 'owner']
  for (const [index, slug] of [alpha, gamma, delta].entries()) {
    for (const [offset, { username }] of TARGET_USERS.entries()) {
      if (offset !== index) await call('PUT', `/projects/${slug}/members/${username}`, 201, { role: roles[(index + offset) % roles.length] })
    }
  }
  await call('PUT', `/projects/${alpha}/members/${SIGN_IN_USER.username}`, 201, { role: 'editor' })
  await call('PUT', `/projects/${transliterated}/members/fuzz-bob`, 201, { role: 'owner' })

  // Webhooks of a project the run's user owns (so that it manages them with
  // AUTH=off too), with deliveries of its tasks; then only for restores, so
  // that the run's writes send little. Several: deleting them is among what the run does.
  const hooks = await project({ name: 'Fuzz hooks', slug: 'fuzz-hooks' })
  await call('PUT', `/projects/${hooks}/members/${SIGN_IN_USER.username}`, 201, { role: 'owner' })
  const webhooks: number[] = []
  for (let count = 0; count < 4; count++) webhooks.push(((await call('POST', '/webhooks', 201, { url: UNREACHABLE_WEBHOOK, events: ['task.created'], project: hooks })).json() as { id: number }).id)
  for (const title of ['heard of', 'heard of too']) await call('POST', '/tasks', 201, { title, project: hooks })

  const taskBodies = [
    { title: 'Write the report', description: 'Q3 numbers', priority: 1, assignee: 'ada', project: alpha, due_at: '2001-01-01T09:00:00Z', location: { name: 'Head office', latitude: 51.5072, longitude: -0.1276 } },
    { title: 'Pay the invoice', status: 'in_progress', project: gamma, due_at: '2001-01-01T09:00:00Z' },
    { title: 'Book the venue', project: delta, due_at: '2091-06-01T12:00:00+02:00', location: { latitude: -90, longitude: 180 } },
    { title: 'Send the invitations', status: 'done', priority: 5, project: delta },
    { title: '100% done_ok\\', description: 'percent, underscore and backslash', priority: 5, project: gamma },
    { title: 'ünïcödé 😀 task', assignee: null, status: 'done', project: alpha },
    { title: 'a'.repeat(200), description: 'd'.repeat(2000), priority: 3 },
    { title: 'cancelled one', status: 'cancelled', priority: 4 },
    { title: 'report draft', description: 'same words: report', project: null },
    { title: 'to be deleted', priority: 2, project: alpha },
    { title: 'deleted too', status: 'done' }
  ]
  const ids: number[] = []
  const versions = new Map<number, number>()
  for (const body of taskBodies) {
    const task = (await call('POST', '/tasks', 201, body)).json() as { id: number, version: number }
    ids.push(task.id)
    versions.set(task.id, task.version)
  }
  // Tasks no request aims at (but by chance): their projects cannot be emptied, and
  // so deleted, early in a run, which leaves project operations something to reach.
  for (const project of [alpha, gamma, delta]) {
    for (const title of ['keeps its project', 'keeps it too']) await call('POST', '/tasks', 201, { title, project })
  }
  const deletedIds = ids.slice(-2)
  // Attachments of every kind of content, on tasks in projects and not; those of
  // a task deleted next are there no more. Written by hand like the run's.
  const contentTags = new Map<number, string>()
  const attach = async (taskId: number, files: [string, Buffer][]) => {
    const boundary = '----fuzz-prepared'
    const payload = multipartPayload(files.map(([filename, content]) => ({ name: 'file', filename, type: 'application/octet-stream', content })), boundary)
    const made = (await call('POST', `/tasks/${taskId}/attachments`, 201, payload, { 'content-type': `${MULTIPART_MEDIA_TYPE}; boundary=${boundary}` })).json() as { items: { id: number, sha256: string }[] }
    for (const { id, sha256 } of made.items) contentTags.set(id, `"${sha256}"`)
    return made.items.map(({ id }) => String(id))
  }
  const attachments = [
    ...await attach(ids[0] as number, [['notes.txt', Buffer.from('plain text, long enough for a few ranges\n'.repeat(3))], ['pixel.png', PIXEL_PNG], ['page.html', Buffer.from('<!doctype html><script>alert(1)</script>')]]),
    ...await attach(ids[2] as number, [['../../etc/passwd', Buffer.from('root:x:0:0::/root:/bin/sh\n')]]),
    ...await attach(ids[6] as number, [['bytes.bin', Buffer.from(Array.from({ length: 1500 }, (_, index) => (index * 7) % 256))], ['ünïcödé 😀.txt', Buffer.from('ünïcödé 😀')]])
  ]
  const formerAttachments = await attach(deletedIds[0] as number, [['gone.txt', Buffer.from('its task is deleted')]])
  // A picture of a user the run does not act as, which no request removes. Only
  // where the app takes pictures: a failure leaves the user without one.
  const ada = TARGET_USERS[0] as { username: string, password: string }
  const adaToken = (await issuedTokens(app, tokenForm({ grant_type: 'password', username: ada.username, password: ada.password }))).access_token
  await app.inject({
    method: 'PUT',
    url: '/users/me/avatar',
    headers: { authorization: `Bearer ${adaToken}`, 'content-type': `${MULTIPART_MEDIA_TYPE}; boundary=----fuzz-prepared` },
    payload: multipartPayload([{ name: 'avatar', filename: 'ada.png', type: 'image/png', content: PIXEL_PNG }], '----fuzz-prepared')
  })
  for (const id of deletedIds) {
    await call('DELETE', `/tasks/${id}`, 204, undefined, { 'if-match': '*' })
    versions.set(id, (versions.get(id) ?? 1) + 1)
  }

  const deliveries: number[] = []
  for (const id of webhooks) {
    deliveries.push(...((await call('GET', `/webhooks/${id}/deliveries?limit=100`, 200)).json() as { items: Array<{ id: number }> }).items.map((delivery) => delivery.id))
    await call('PATCH', `/webhooks/${id}`, 200, { events: ['task.restored'] })
  }

  const cursors: FuzzState['cursors'] = []
  const lists: [string, string, string[]][] = [
    ['listTasks', '/tasks', ['limit=2', 'limit=1&sort_by=title&sort_order=asc', 'limit=2&sort_by=priority&include_deleted=true', 'limit=1&q=report&status=pending', 'limit=1&updated_since=2000-01-01T00:00:00Z', `limit=1&project=${alpha}`,
      'limit=1&sort_by=due_at&sort_order=asc', 'limit=1&overdue=false&sort_by=due_at&sort_order=desc', 'limit=1&due_after=2000-01-01T00:00:00Z']],
    ['listProjects', '/projects', ['limit=1']],
    ['listUsers', '/admin/users', ['limit=2']],
    ['listProjectMembers', `/projects/${alpha}/members`, ['limit=1']],
    ['listAttachments', `/tasks/${ids[0]}/attachments`, ['limit=1']]
  ]
  for (const [operationId, path, queries] of lists) {
    for (const query of queries) {
      const cursor = ((await call('GET', `${path}?${query}`, 200)).json() as { next_cursor?: string | null }).next_cursor
      if (typeof cursor === 'string') cursors.push({ operationId, query, cursor })
    }
  }

  const bearer = (token: string) => `Bearer ${token}`
  return {
    existing: {
      task_id: ids.filter((id) => !deletedIds.includes(id)).map(String),
      slug: [alpha, beta, transliterated, gamma, delta],
      // Usernames compare without regard to case; `local` is the built-in user no one may change.
      username: [...TARGET_USERS.map((user) => user.username), 'FUZZ-ADA', 'local'],
      token_id: targetTokens.map((token) => String(token.id)),
      webhook_id: webhooks.map(String),
      delivery_id: deliveries.map(String),
      attachment_id: attachments
    },
    former: { task_id: deletedIds.map(String), slug: [oldSlug], token_id: [String(revoked.id)], attachment_id: formerAttachments },
    cursors,
    versions,
    contentTags,
    goodBodies: {
      issueToken: [
        signInForm,
        // A member asking for an administrator's scope too gets the one it may have.
        tokenForm({ grant_type: 'password', username: SIGN_IN_USER.username, password: SIGN_IN_USER.password, scope: 'projects:read users:admin' }),
        tokenForm({ grant_type: 'refresh_token', refresh_token: refreshable.refresh_token })
      ].map((payload): BodySpec => ({ kind: 'known good', payload, contentType: FORM_MEDIA_TYPE })),
      createTask: [{ kind: 'known good', payload: JSON.stringify({ title: 'in a project', project: alpha }), contentType: JSON_MEDIA_TYPE }],
      putProjectMember: ['viewer', 'editor', 'owner'].map((role): BodySpec => ({ kind: 'known good', payload: JSON.stringify({ role }), contentType: JSON_MEDIA_TYPE })),
      createWebhook: [
        { url: UNREACHABLE_WEBHOOK, events: ['task.restored'] },
        { url: UNREACHABLE_WEBHOOK, events: ['task.restored', 'task.completed'], project: hooks }
      ].map((body): BodySpec => ({ kind: 'known good', payload: JSON.stringify(body), contentType: JSON_MEDIA_TYPE })),
      updateWebhook: [{ kind: 'known good', payload: JSON.stringify({ url: `${UNREACHABLE_WEBHOOK}/moved` }), contentType: JSON_MEDIA_TYPE }]
    },
    authorizations: {
      run: [bearer(runToken)],
      personal: [everyScope.token, readOnly.token].map(bearer),
      other: [
        ...[member.access_token, reader.access_token].filter((token) => token !== runToken).map(bearer),
        `bearer ${runToken}`, `BEARER   ${runToken}  `
      ],
      refused: [revoked.token, `tapi_pat_${'A'.repeat(43)}`, member.refresh_token, ...forgedAccessTokens(runToken, jwtSecret)].map(bearer),
      malformed: [
        `Basic ${Buffer.from(`${SIGN_IN_USER.username}:${SIGN_IN_USER.password}`).toString('base64')}`, 'Bearer', 'Bearer ', `Token ${runToken}`, runToken,
        `Bearer ${runToken} extra`, `Bearer "${runToken}"`, `Bearer ${runToken},Bearer ${runToken}`, `Bearer\t${runToken}`
      ]
    }
  }
}

/**
 * Access tokens made from a real one that the API must not take as they
 * are: tampered with (another user under the same signature, a changed
 * signature, `alg: none`, parts missing), and, with the key, signed but
 * expired, not yet valid, for another issuer or audience, of a user who
 * does not exist or of the built-in local user (whose tokens only AUTH=off,
 * where no operation needs a token, accepts), of an older password,
 * without an expiry, or of another algorithm.
 */
function forgedAccessTokens (token: string, secret: string | undefined): string[] {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  const tampered = [
    `${header}.${base64UrlJson({ ...claims, sub: '1' })}.${signature}`,
    `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
    `${base64UrlJson({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    `${header}.${payload}`,
    `${header}..${signature}`
  ]
  if (secret === undefined) return tampered
  const now = Math.floor(Date.now() / 1000)
  const signed = (changes: Record<string, unknown>, algorithm: 'HS256' | 'HS512' = 'HS256') => signedJwt({ ...claims, ...changes }, secret, algorithm)
  return [
    ...tampered,
    signed({ iat: now - 7200, exp: now - 3600 }),
    signed({ nbf: now + 3600 }),
    signed({ iss: 'someone-else' }),
    signed({ aud: 'someone-else' }),
    signed({ sub: '999999999' }),
    signed({ sub: '1' }),
    signed({ sub: 'ada' }),
    signed({ gen: Number(claims.gen) - 1 }),
    signed({ exp: undefined }),
    signed({ scope: 42 }),
    signed({}, 'HS512')
  ]
}

function signedJwt (claims: Record<string, unknown>, secret: string, algorithm: 'HS256' | 'HS512'): string {
  const unsigned = `${base64UrlJson({ alg: algorithm, typ: 'JWT' })}.${base64UrlJson(claims)}`
  return `${unsigned}.${createHmac(algorithm === 'HS256' ? 'sha256' : 'sha512', secret).update(unsigned).digest('base64url')}`
}

function base64UrlJson (value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * Learns from the run's responses: tasks' versions from ETags (so that
 * If-Match and If-None-Match can hit), the personal tokens created (to
 * revoke), the webhooks created and deliveries redelivered (to aim at), and
 * projects' new slugs and deletions. (Not the projects or users
 * created: those aimed at stay the prepared ones, with their members.)
 */
function observe (state: FuzzState, operation: Operation | undefined, request: SentRequest, response: LightMyRequestResponse): void {
  const tag = /^"(\d+)-(\d+)"$/.exec(String(response.headers.etag ?? ''))
  if (tag !== null) {
    state.versions.set(Number(tag[1]), Number(tag[2]))
  } else if (request.method === 'DELETE' && response.statusCode === 204) {
    const id = Number(/^\/tasks\/(\d+)/.exec(request.url)?.[1])
    if (state.versions.has(id)) state.versions.set(id, (state.versions.get(id) ?? 1) + 1)
  }
  if (operation?.operationId === 'createPersonalToken' && response.statusCode === 201) {
    const id = bodyMember(response, 'id')
    if (typeof id === 'number') (state.existing.token_id ??= []).push(String(id))
  }
  if (operation?.operationId === 'createWebhook' && response.statusCode === 201) {
    const id = bodyMember(response, 'id')
    if (typeof id === 'number') (state.existing.webhook_id ??= []).push(String(id))
  }
  // Attachments made (to aim at), seen (for their content's ETag) and removed (aimed at no more).
  if (operation?.operationId === 'createAttachments' && response.statusCode === 201) learnAttachments(state, bodyMember(response, 'items'), true)
  if (operation?.operationId === 'listAttachments' && response.statusCode === 200) learnAttachments(state, bodyMember(response, 'items'), false)
  if (operation?.operationId === 'getAttachment' && response.statusCode === 200 && request.method === 'GET') learnAttachments(state, [jsonBody(response)], false)
  if (operation?.operationId === 'deleteAttachment' && response.statusCode === 204) {
    const ids = state.existing.attachment_id ?? []
    const index = ids.indexOf(String(Number(pathSegments(request.url)[2]?.decoded)))
    // The last one stays, answering 404 now: an empty list would leave the path without a value.
    if (index >= 0 && ids.length > 1) ids.splice(index, 1)
  }
  if (operation?.operationId === 'redeliverWebhookDelivery' && response.statusCode === 202) {
    const id = bodyMember(response, 'id')
    if (typeof id === 'number') (state.existing.delivery_id ??= []).push(String(id))
  }
  const renamed = operation?.operationId === 'updateProject' && response.statusCode === 200
  const deleted = operation?.operationId === 'deleteProject' && response.statusCode === 204
  if (renamed || deleted) {
    const slugs = state.existing.slug ?? []
    const index = slugs.indexOf(pathSegments(request.url)[2]?.decoded ?? '')
    const slug = bodyMember(response, 'slug')
    if (index >= 0 && deleted) slugs.splice(index, 1)
    else if (index >= 0 && typeof slug === 'string') slugs[index] = slug
  }
}

function bodyMember (response: LightMyRequestResponse, name: string): unknown {
  return (jsonBody(response) as Record<string, unknown> | undefined)?.[name]
}

/** The JSON body; undefined for one of another type (a download's bytes) or not JSON after all. */
function jsonBody (response: LightMyRequestResponse): unknown {
  if (!/json/.test(mediaType(response.headers['content-type']) ?? '')) return undefined
  try {
    return response.json()
  } catch {
    return undefined
  }
}

/** Attachments of an answer: their content's ETags, and, `made` by the run, their ids to aim at. */
function learnAttachments (state: FuzzState, items: unknown, made: boolean): void {
  if (!Array.isArray(items)) return
  for (const item of items as Array<{ id?: unknown, sha256?: unknown } | null>) {
    if (typeof item?.id !== 'number' || typeof item.sha256 !== 'string') continue
    state.contentTags.set(item.id, `"${item.sha256}"`)
    const ids = state.existing.attachment_id ??= []
    if (made && !ids.includes(String(item.id))) ids.push(String(item.id))
  }
}

export interface FuzzStatistics {
  requests: number
  /** operationId (or `unrouted`) -> status -> count */
  statuses: Record<string, Record<string, number>>
  /** operationId -> client errors it gave that its documentation does not list (allowed as the framework's) */
  undocumented: Record<string, number[]>
}

export interface FuzzOptions extends Credentials {
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

/** The body as text, or a file's bytes summed up: a download is whatever was uploaded. */
function readableBody (response: LightMyRequestResponse): string {
  const type = mediaType(response.headers['content-type']) ?? ''
  if (response.rawPayload.length === 0 || /json|^text\//.test(type)) return response.body
  return `<${response.rawPayload.length} bytes of ${type}: ${response.rawPayload.subarray(0, 64).toString('hex')}${response.rawPayload.length > 64 ? '...' : ''}>`
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

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A redirect's Location is the URL asked for with one path parameter
 * changed (a renamed project's new slug), and that new value names
 * something: GET of the path up to it, where the document has that
 * operation, does not answer 404 or redirect again. Followed only when no
 * other request of the batch changed anything, which could have renamed or
 * deleted it meanwhile.
 */
async function checkRedirect (app: Injector, contract: Contract, exchange: Exchange, batch: Exchange[], timeoutMs: number): Promise<string[]> {
  const { request, response } = exchange
  if (response === undefined || !REDIRECT_STATUSES.has(response.statusCode) || isWebEntry(request.url)) return []
  const location = response.headers.location
  if (typeof location !== 'string') return [`a ${response.statusCode} without Location`]
  const from = pathSegments(request.url)
  const to = pathSegments(location)
  const changed = to.flatMap((segment, index) => segment.decoded === from[index]?.decoded ? [] : [index])
  const [parameter] = changed
  if (to.length !== from.length || changed.length !== 1 || parameter === undefined || parsedUrl(location).search !== parsedUrl(request.url).search) {
    return [`Location ${location} is not ${request.url} with one path parameter changed`]
  }
  const changedAnything = batch.some((other) => other !== exchange && !SAFE_METHODS.has(other.request.method) && (other.response?.statusCode ?? 500) < 300)
  const target = to.slice(0, parameter + 1).map((segment) => segment.raw).join('/')
  if (changedAnything || contract.operationFor('GET', target) === undefined) return []
  const authorization = request.headers.authorization
  const answer = await send(app, { method: 'GET', url: target, headers: authorization === undefined ? {} : { authorization } }, timeoutMs)
  if (typeof answer === 'string') return [`following Location ${location}: ${answer}`]
  if (answer.statusCode === 404 || REDIRECT_STATUSES.has(answer.statusCode)) return [`Location ${location} names nothing: GET ${target} answers ${answer.statusCode}`]
  return []
}

/**
 * What the document says of files beyond their schemas: an upload answered
 * 201 made one attachment per file part, in the order sent, each of the
 * size and SHA-256 sent (so none was cut, padded or mixed up), and never
 * answers a form its schema refuses; a whole download is the content its
 * ETag (the SHA-256) names.
 */
function checkFiles (spec: RequestSpec, operation: Operation | undefined, request: SentRequest, response: LightMyRequestResponse): string[] {
  const uploads = spec.body?.uploads
  if (response.statusCode === 201 && uploads !== undefined && request.method === 'POST') {
    if (uploads === 'refused') return [`201 to a form its schema refuses (${spec.body?.kind ?? '?'})`]
    const items = bodyMember(response, 'items')
    if (!Array.isArray(items)) return []
    const made = items.map((item: { size?: unknown, sha256?: unknown }) => `${String(item.size)} ${String(item.sha256)}`)
    const sent = uploads.map(({ size, sha256 }) => `${size} ${sha256}`)
    if (made.join() !== sent.join()) return [`the attachments made (size sha256: ${made.join(', ')}) are not the files sent (${sent.join(', ')})`]
  }
  const etag = response.headers.etag
  if (request.method === 'GET' && response.statusCode === 200 && isBinaryResponse(operation, 200) && typeof etag === 'string') {
    const served = `"${sha256Hex(response.rawPayload)}"`
    if (served !== etag) return [`the ${response.rawPayload.length} bytes served hash to ${served}, not their ETag ${etag}`]
  }
  return []
}

/** Whether the operation documents this status's body as bytes. */
function isBinaryResponse (operation: Operation | undefined, status: number): boolean {
  return Object.values(operation?.responses[String(status)]?.content ?? {}).some(({ schema }) => isBinarySchema(schema))
}

/** The segments of a URL's path, as sent and percent-decoded (undecodable ones as sent). */
function pathSegments (url: string): { raw: string, decoded: string }[] {
  return parsedUrl(url).pathname.split('/').map((raw) => {
    try {
      return { raw, decoded: decodeURIComponent(raw) }
    } catch {
      return { raw, decoded: raw }
    }
  })
}

/** The document the app serves. */
export async function fetchDocument (app: Injector): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`)
  return response.json() as OpenApiDocument
}

/** Settings the fuzzed app runs with, over the ones for tests. */
export const FUZZ_ENV = {
  // The fuzzer's own generation and checks run on the app's event loop, so load
  // shedding (a 503 when the loop lags) would measure the fuzzer, not the app.
  MAX_EVENT_LOOP_DELAY_MS: '0',
  // Likewise the heap: the fuzzer's requests and answers, garbage until the
  // collector runs, share it with the app (near 1 GiB under coverage).
  MAX_HEAP_USED_BYTES: '0',
  // Sign-ins fail by the hundred in a run, all from one address: throttled,
  // the known-good ones would fail too.
  LOGIN_MAX_FAILURES_PER_USER: '1000000000',
  LOGIN_MAX_FAILURES_PER_IP: '1000000000',
  // Known, so that the fuzzer can forge tokens the app signs but never issued.
  JWT_SECRET: 'the contract fuzzer forges tokens with this key',
  // The webhooks the fuzzer makes point at this machine (UNREACHABLE_WEBHOOK),
  // tried once: refused at once, they send nothing anywhere.
  WEBHOOK_ALLOW_PRIVATE: 'true',
  JOB_MAX_ATTEMPTS: '1',
  // Small, so that files at the limit and over it (a 413) cost little to send.
  ATTACHMENT_MAX_BYTES: String(FUZZ_ATTACHMENT_MAX_BYTES),
  // Low, since the run removes attachments about as often as it makes them: a
  // task fills up now and then (a 422 of its own, before or amid the upload).
  ATTACHMENTS_PER_TASK: '4'
}

// Nothing listens on the discard port: a delivery there fails at once.
const UNREACHABLE_WEBHOOK = 'http://127.0.0.1:9/hook'

// The administrator an AUTH=on run acts as.
const FUZZ_ADMINISTRATOR = { username: 'fuzzadmin', email: 'fuzzadmin@example.com', password: 'the fuzzer administers with this', role: 'admin' }

/**
 * The app with AUTH=on, on the database file `env.DATABASE_URL` names, and
 * the access token of an administrator to fuzz it as. With AUTH=on the
 * first administrator's password is only in the log, so a first start with
 * AUTH=off creates one through the API.
 */
export async function buildAppWithAuthOn (env: Record<string, string>): Promise<{ app: FastifyInstance, authorization: string }> {
  const setup = await buildApp(loadConfig({ ...env, AUTH: 'off' }))
  try {
    await setup.ready()
    const created = await setup.inject({ method: 'POST', url: '/users', payload: FUZZ_ADMINISTRATOR })
    if (created.statusCode !== 201) throw new Error(`creating ${FUZZ_ADMINISTRATOR.username} answered ${created.statusCode}: ${created.body}`)
  } finally {
    await setup.close()
  }
  const app = await buildApp(loadConfig({ ...env, AUTH: 'on' }))
  try {
    await app.ready()
    const { access_token: authorization } = await issuedTokens(app, tokenForm({ grant_type: 'password', username: FUZZ_ADMINISTRATOR.username, password: FUZZ_ADMINISTRATOR.password }))
    return { app, authorization }
  } catch (error) {
    await app.close()
    throw error
  }
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
  const state = await prepareState(app, options)
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
      const operation = contract.operationFor(request.method, request.url)
      observe(state, operation, request, response)
      const name = operation?.operationId ?? 'unrouted'
      const counts = statistics.statuses[name] ??= {}
      counts[response.statusCode] = (counts[response.statusCode] ?? 0) + 1
      if (operation !== undefined && operation.responses[response.statusCode] === undefined) {
        const statuses = statistics.undocumented[name] ??= []
        if (!statuses.includes(response.statusCode)) statuses.push(response.statusCode)
      }
      const violations = [...contract.check(request, response, spec.authorization.mayWork), ...checkFiles(spec, operation, request, response)]
      return { spec, request, response: { statusCode: response.statusCode, headers: response.headers, body: readableBody(response) }, violations }
    })
    for (const exchange of exchanges) exchange.violations.push(...await checkRedirect(app, contract, exchange, exchanges, timeoutMs))
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
    // A multipart body's delimiters and headers are text, its files anything: as Latin-1, escaped, they read.
    const multipart = exchange.spec.body?.kind.startsWith('multipart') === true
    const payload = typeof request.payload === 'string'
      ? JSON.stringify(truncate(request.payload, 600))
      : multipart ? JSON.stringify(truncate(request.payload.toString('latin1'), 1500)) : `<${request.payload.length} bytes: ${request.payload.toString('hex').slice(0, 200)}>`
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
