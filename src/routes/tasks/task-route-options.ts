/** Settings the task routes take from the server's config. */
export interface TaskRouteOptions {
  /** REQUIRE_IF_MATCH: writes to an existing task without If-Match are refused with 428. */
  requireIfMatch: boolean
}
