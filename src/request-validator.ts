import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { TSchema } from '@sinclair/typebox'
import type { FastifySchemaCompiler } from 'fastify'

const sharedOptions: Options = {
  // Every error is reported, not only the first, so a client can fix a request in one go.
  allErrors: true,
  // Unknown fields are errors rather than silently dropped.
  removeAdditional: false,
  addUsedSchema: false,
  // The schemas are TypeBox's, checked against the JSON Schema dialect by the
  // OpenAPI document's own validation in the tests; checking them again on
  // every start cost a tenth of it.
  validateSchema: false
}

/**
 * Compiles route schemas into validators. JSON bodies are checked exactly as
 * sent; query strings and path parameters, which arrive as text, are coerced
 * to their schema's types and take its defaults; multipart bodies are left
 * to their routes. `sharedSchemas` are the
 * schemas that route schemas reach by `$ref`.
 */
export function requestValidatorCompiler (sharedSchemas: TSchema[]): FastifySchemaCompiler<TSchema> {
  const body = createAjv({ coerceTypes: false, useDefaults: false }, sharedSchemas)
  const parameters = createAjv({ coerceTypes: true, useDefaults: true }, sharedSchemas)
  return ({ schema, httpPart, contentType }) => {
    if (httpPart !== 'body') return refusingInfinity(parameters.compile(schema))
    // A multipart body is not parsed before the handler: its route reads the
    // parts as they stream in and checks each one. Its schema is there for
    // the OpenAPI document.
    if (contentType === MULTIPART) return acceptingStream
    return body.compile(schema)
  }
}

const MULTIPART = 'multipart/form-data'
const acceptingStream = () => true

/**
 * Ajv coerces the text "Infinity" or "1e400" to Infinity, which passes
 * `integer` and is never compared with a minimum or maximum; a parameter
 * object holding one is refused here, with an error naming the parameter.
 */
function refusingInfinity (validate: ValidateFunction): ValidateFunction {
  const check = ((data: Record<string, unknown>) => {
    const valid = validate(data)
    const infinite = Object.keys(data).filter((name) => typeof data[name] === 'number' && !Number.isFinite(data[name]))
    // The common case, every number finite, costs one pass over the names.
    if (infinite.length === 0) {
      check.errors = validate.errors ?? null
      return valid
    }
    check.errors = [...(validate.errors ?? []), ...infinite.map((name): ErrorObject => ({
      instancePath: `/${name}`,
      schemaPath: `#/properties/${name}/type`,
      keyword: 'type',
      params: { type: 'number' },
      message: 'must be a finite number'
    }))]
    return false
  }) as ValidateFunction
  return check
}

function createAjv (options: Options, sharedSchemas: TSchema[]): Ajv {
  const ajv = new Ajv({ ...sharedOptions, ...options })
  addFormats.default(ajv)
  for (const schema of sharedSchemas) ajv.addSchema(schema)
  return ajv
}
