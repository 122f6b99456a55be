# syntax=docker/dockerfile:1
# Tender's BFF as a container: compiled JavaScript on node:22-slim, run by plain `node` as the
# unprivileged `node` user. `docker build -t tender .`; see README, "Deploying".

# ── build: install from the lock file, compile the widget bundles and the server ──────────────────
FROM node:22-slim AS build
# better-sqlite3 downloads a prebuilt binary when one fits, and compiles from source otherwise.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY widget/package.json widget/
COPY server/package.json server/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY widget/ widget/
COPY server/ server/
RUN npm run build --workspace widget --workspace server \
 && npm prune --omit=dev --no-audit --no-fund

# ── runtime: the built packages and their production dependencies, nothing else ───────────────────
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=8787 \
    HOST=0.0.0.0
WORKDIR /app
# node_modules links the two workspace packages (tender → widget/, @tender/server → server/), so
# they keep their places beside it.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/widget/package.json widget/
COPY --from=build /src/widget/dist/ widget/dist/
COPY --from=build /src/server/package.json server/
COPY --from=build /src/server/dist/ server/dist/
# The only writable place: the SQLite file of the built-in sandbox configuration (./data/tender.db).
RUN mkdir data && chown node:node data
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `tender serve`; `tender migrate` and `tender sandbox` run the same way:
#   docker run --rm -e TENDER_CONFIG=… tender node server/dist/server/cli.js migrate
CMD ["node", "server/dist/server/cli.js", "serve"]
