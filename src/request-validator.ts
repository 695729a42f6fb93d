import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { TSchema } from '@sinclair/typebox'
import type { FastifySchemaCompiler } from 'fastify'

const sharedOptions: Options = {
  // Every error is reported, not only the first, so a client can fix a request in one go.
  allErrors: true,
  // Unknown fields are errors rather than silently dropped.
  removeAdditional: false,
  addUsedSchema: false
}

/**
 * Compiles route schemas into validators. JSON bodies are checked exactly as
 * sent; query strings and path parameters, which arrive as text, are coerced
 * to their schema's types and take its defaults. `sharedSchemas` are the
 * schemas that route schemas reach by `$ref`.
 */
export function requestValidatorCompiler (sharedSchemas: TSchema[]): FastifySchemaCompiler<TSchema> {
  const body = createAjv({ coerceTypes: false, useDefaults: false }, sharedSchemas)
  const parameters = createAjv({ coerceTypes: true, useDefaults: true }, sharedSchemas)
  return ({ schema, httpPart }) => httpPart === 'body' ? body.compile(schema) : refusingInfinity(parameters.compile(schema))
}

/**
 * Ajv coerces the text "Infinity" or "1e400" to Infinity, which passes
 * `integer` and is never compared with a minimum or maximum; a parameter
 * object holding one is refused here, with an error naming the parameter.
 */
function refusingInfinity (validate: ValidateFunction): ValidateFunction {
  const check = ((data: Record<string, unknown>) => {
    const valid = validate(data)
    const infinite: ErrorObject[] = Object.keys(data)
      .filter((name) => typeof data[name] === 'number' && !Number.isFinite(data[name]))
      .map((name) => ({
        instancePath: `/${name}`,
        schemaPath: `#/properties/${name}/type`,
        keyword: 'type',
        params: { type: 'number' },
        message: 'must be a finite number'
      }))
    const errors = [...(validate.errors ?? []), ...infinite]
    check.errors = errors.length > 0 ? errors : null
    return valid && infinite.length === 0
  }) as ValidateFunction
  return check
}

function createAjv (options: Options, sharedSchemas: TSchema[]): Ajv {
  const ajv = new Ajv({ ...sharedOptions, ...options })
  addFormats.default(ajv)
  for (const schema of sharedSchemas) ajv.addSchema(schema)
  return ajv
}
