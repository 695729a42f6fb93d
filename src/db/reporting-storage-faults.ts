import { StorageUnavailableError, type StorageFault } from './storage-unavailable-error.js'

/** The storage fault a driver's error stands for, or undefined when it is not one (a bug, a constraint). */
export type StorageFaultClassifier = (error: unknown) => StorageFault | undefined

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never }

/**
 * The same methods, with the driver's errors that are storage faults turned
 * into StorageUnavailableError, so that callers above the data layer tell an
 * unavailable database from a bug without knowing which database it is.
 */
export function reportingStorageFaults<T extends AsyncMethods<T>> (methods: T, faultOf: StorageFaultClassifier): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(methods) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method(...args)
      } catch (error) {
        const fault = faultOf(error)
        throw fault === undefined ? error : new StorageUnavailableError(fault, { cause: error })
      }
    }
  }
  return wrapped as T
}
