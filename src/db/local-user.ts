/**
 * The built-in local user: who a request without a token is with AUTH=off.
 * An administrator with no password, so nobody can sign in as it; with
 * AUTH=on its tokens are refused. The migration that brought users in
 * created it with this id, and gave it every task made before then.
 */
export const LOCAL_USER_ID = 1
export const LOCAL_USERNAME = 'local'
