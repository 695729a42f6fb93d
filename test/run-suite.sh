#!/bin/sh
# `npm test` (under c8): the whole suite on SQLite; then, when TEST_POSTGRES_URL
# is set, again with every app the tests build on PostgreSQL, each in a
# schema of its own (test/helper.ts's build(), test/postgres.ts). Arguments
# name test files to run instead of all of them, on both passes.
# Tests of PostgreSQL itself (test/db/postgres, the instances sharing one
# server) run on the first pass, and need it whether or not this is set.
set -e
tap "$@"
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  echo '# TEST_POSTGRES_URL is not set: the suite did not run a second time on PostgreSQL.'
  exit 0
fi
echo '# The suite again, every app on PostgreSQL (TEST_DATABASE=postgres).'
if [ $# -eq 0 ]; then
  # The files whose apps build() makes; the repository tests name their database themselves.
  set -- $(grep -rl --include='*.test.ts' 'build(t' test | grep -v '^test/db/\(sqlite\|postgres\)/' | sort)
fi
TEST_DATABASE=postgres tap "$@"
