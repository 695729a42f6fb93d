import { build } from 'esbuild'

// The server as one file: Node then reads one module instead of resolving
// and loading several hundred, which was half of the time from process start
// to a healthy /health. Run after tsc (`npm run build`); it replaces
// dist/server.js with the bundle of it and all it imports, except
// better-sqlite3, @node-rs/argon2 and sodium-native (native addons), and @fastify/swagger-ui
// (which serves its files from its own folder). Scripts other than the server stay as tsc emits them.
await build({
  entryPoints: ['dist/server.js'],
  outfile: 'dist/server.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'sodium-native', '@fastify/swagger-ui'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  sourcemap: true,
  // V8 keeps the whole source of a module in memory, in two bytes a
  // character if any one of them is not ASCII: without comments and
  // whitespace (names are kept, for stack traces), and with the licence
  // comments written beside it to dist/server.js.LEGAL.txt, the source is
  // 3.7 MB of ASCII instead of 10.6 MB of heap.
  minifyWhitespace: true,
  legalComments: 'external',
  logLevel: 'warning'
})
