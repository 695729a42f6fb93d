// How much of a request this API will read, and for how long: a client that
// sends more, or too slowly, is answered with a 4xx and cannot hold the server.

/** The largest request body: 1 MiB. Larger is a 413 problem. */
export const BODY_LIMIT_BYTES = 1024 * 1024

/** The largest request line and headers together: 16 KiB. Larger is a 431 from Node's HTTP parser. */
export const MAX_HEADER_BYTES = 16 * 1024

/** The longest path parameter: longer is a 400 problem. */
export const MAX_PARAM_LENGTH = 100

/** A connection with no traffic for this long is closed. */
export const CONNECTION_TIMEOUT_MS = 60_000

/** How often request deadlines (REQUEST_TIMEOUT_MS) are checked: a late request is answered within this much of its deadline. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1000
