import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox'

/**
 * A string enum as one JSON Schema `enum`, so the OpenAPI document shows a
 * single enum rather than TypeBox's `anyOf` of literals.
 */
export function StringEnum<const Values extends readonly string[]> (values: Values, options: SchemaOptions = {}) {
  return Type.Unsafe<Values[number]>({ ...options, type: 'string', enum: [...values] })
}

/** A value that may also be `null`. */
export function Nullable<T extends TSchema> (schema: T, options: SchemaOptions = {}) {
  return Type.Union([schema, Type.Null()], options)
}

/**
 * A `$ref` to a shared schema registered with `fastify.addSchema`, typed as the
 * schema it points at. Shared schemas become named OpenAPI components.
 */
export function Ref<T extends TSchema> (schema: T, options: SchemaOptions = {}) {
  if (schema.$id === undefined) throw new TypeError('Ref needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id, options))
}
