import type { StorageFault } from '../storage-unavailable-error.js'

// Socket errors that mean the server cannot be reached (down, restarting, cut off).
const UNREACHABLE_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

// Errors pg raises without a code: a connection lost mid-query, a query with no
// answer in time, and a pool whose every connection stayed busy past its timeout.
const UNREACHABLE_MESSAGES = /Connection terminated|Query read timeout|Client has encountered a connection error/
const POOL_TIMEOUT_MESSAGE = /timeout exceeded when trying to connect/

/**
 * The storage fault a PostgreSQL error stands for, or undefined when it is
 * not one (a bug, a constraint). drizzle wraps the driver's error as the
 * cause of its own, so the whole chain is read.
 */
export function storageFaultOf (error: unknown): StorageFault | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const fault = faultOfOne(cause)
    if (fault !== undefined) return fault
  }
  return undefined
}

function faultOfOne (error: Error): StorageFault | undefined {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (UNREACHABLE_SOCKET_ERRORS.has(code)) return 'unreachable'
    // SQLSTATE: connection exceptions, and a server shutting down or starting up.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return 'unreachable'
    if (code === '53100') return 'full'
    if (code === '25006') return 'read-only'
    // Out of resources (memory, connections), a statement or lock timeout, a deadlock.
    if (code.startsWith('53') || code === '57014' || code === '55P03' || code === '40P01') return 'busy'
    if (code.startsWith('58')) return 'io'
  }
  if (UNREACHABLE_MESSAGES.test(error.message)) return 'unreachable'
  if (POOL_TIMEOUT_MESSAGE.test(error.message)) return 'busy'
  return undefined
}
