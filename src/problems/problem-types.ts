/**
 * Every kind of problem the API reports. Each kind's type URI is the
 * PROBLEM_TYPE_BASE setting followed by the kind's name.
 */
export const PROBLEM_TYPES = {
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  'bad-request': { status: 400, title: 'Bad request' },
  // The errors of the token endpoint (RFC 6749 section 5.2), as problems.
  'invalid-request': { status: 400, title: 'Invalid token request' },
  'invalid-grant': { status: 400, title: 'Invalid grant' },
  'unsupported-grant-type': { status: 400, title: 'Unsupported grant type' },
  'invalid-scope': { status: 400, title: 'Invalid scope' },
  'authentication-required': { status: 401, title: 'Authentication required' },
  'invalid-token': { status: 401, title: 'Invalid token' },
  'invalid-signature': { status: 401, title: 'Invalid signature' },
  'insufficient-scope': { status: 403, title: 'Insufficient scope' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Resource not found' },
  'route-not-found': { status: 404, title: 'Route not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'request-timeout': { status: 408, title: 'Request timeout' },
  'idempotency-key-in-use': { status: 409, title: 'Idempotency key in use' },
  'already-exists': { status: 409, title: 'Already exists' },
  'last-owner': { status: 409, title: 'Last owner' },
  'last-admin': { status: 409, title: 'Last administrator' },
  'built-in-user': { status: 409, title: 'Built-in user' },
  'project-not-empty': { status: 409, title: 'Project not empty' },
  'token-limit-reached': { status: 409, title: 'Token limit reached' },
  'job-not-finished': { status: 409, title: 'Job not finished' },
  'webhook-limit-reached': { status: 409, title: 'Webhook limit reached' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'range-not-satisfiable': { status: 416, title: 'Range not satisfiable' },
  validation: { status: 422, title: 'Validation failed' },
  'attachment-limit-reached': { status: 422, title: 'Attachment limit reached' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused' },
  'upgrade-required': { status: 426, title: 'Upgrade required' },
  'precondition-required': { status: 428, title: 'Precondition required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'login-throttled': { status: 429, title: 'Too many failed sign-ins' },
  'headers-too-large': { status: 431, title: 'Request header fields too large' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
  'storage-unavailable': { status: 503, title: 'Storage unavailable' },
  overloaded: { status: 503, title: 'Server overloaded' },
  'shutting-down': { status: 503, title: 'Shutting down' },
  'too-many-connections': { status: 503, title: 'Too many connections' }
} as const satisfies Record<string, { status: number, title: string }>

export type ProblemKind = keyof typeof PROBLEM_TYPES
