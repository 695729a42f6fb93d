import { hash, verify } from '@node-rs/argon2'

// Argon2id with its library's defaults, the OWASP recommendation: 19 MiB of
// memory, 2 passes, 1 lane. Both functions run on libuv's thread pool, never
// on the event loop.

/** The stored form of a password: an Argon2id hash in PHC format, with its own salt. */
export async function hashPassword (password: string): Promise<string> {
  return hash(password)
}

// Hashed once, on first need: an unknown user is checked against it, so that
// signing in as nobody costs what a wrong password costs.
let dummyHash: Promise<string> | undefined

/**
 * Whether `password` is the one `stored` was made from. A user without a
 * password (`null`, or no such user) is checked against a dummy hash all the
 * same, and never matches: the answer takes as long either way.
 */
export async function verifyPassword (stored: string | null | undefined, password: string): Promise<boolean> {
  if (stored === null || stored === undefined) {
    dummyHash ??= hash('a password nobody has')
    await verify(await dummyHash, password)
    return false
  }
  return verify(stored, password)
}
