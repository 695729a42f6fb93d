/**
 * How a read of several queries runs when they must agree (a page and the
 * total it is one page of): every query of a REPEATABLE READ transaction sees
 * the database as it was at the first, and a read-only one never waits on
 * writes nor makes them wait.
 */
export const ONE_SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const
