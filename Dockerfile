# syntax=docker/dockerfile:1

# Build stage: the full Debian image ships python3, make and g++, which
# node-gyp needs when better-sqlite3 has no prebuilt binary to download.
FROM node:22-bookworm AS build
WORKDIR /app
# Dependencies first, so editing the source does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json bundle.mjs ./
COPY src ./src
# Compile and bundle the server, then drop the dev dependencies so
# node_modules can be copied as is.
RUN npm run build && npm prune --omit=dev

# Runtime stage: the same Debian release (same glibc as the compiled addon),
# without compilers. It listens on every interface, so it needs a token for
# everything (AUTH=on): the server refuses AUTH=off on such an address.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    AUTH=on \
    DATABASE_URL=/data/tasks.db \
    UPLOADS_DIR=/data/uploads
WORKDIR /app
# Before VOLUME, so a new named volume starts out owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
# The application files stay owned by root: the server cannot rewrite its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at start-up: the server migrates the database before it listens.
COPY migrations ./migrations
# The live page's files (/live) and the web pages' static files and templates (/web).
COPY public ./public
COPY views ./views
USER node
VOLUME ["/data"]
EXPOSE 3000
# The slim image has neither curl nor wget; Node's own fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then((r)=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (close-with-grace handles it).
CMD ["node", "dist/server.js"]
