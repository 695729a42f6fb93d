/** Where the web pages live; `/` sends a browser there. */
export const WEB_PREFIX = '/web'
