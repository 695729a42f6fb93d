import { Type } from '@sinclair/typebox'

/** A point in time as the API writes them: RFC 3339, UTC, with milliseconds. */
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 UTC timestamp with milliseconds.', examples: ['2026-11-21T04:20:18.083Z'] })
