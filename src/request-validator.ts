import { Ajv, type Options } from 'ajv'
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
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : parameters).compile(schema)
}

function createAjv (options: Options, sharedSchemas: TSchema[]): Ajv {
  const ajv = new Ajv({ ...sharedOptions, ...options })
  addFormats.default(ajv)
  for (const schema of sharedSchemas) ajv.addSchema(schema)
  return ajv
}
