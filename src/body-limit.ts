/** The largest request body the API accepts: 1 MiB. */
export const BODY_LIMIT_BYTES = 1024 * 1024
