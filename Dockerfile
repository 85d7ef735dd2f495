# One image for the API, the worker and the one-shot jobs (migrations, namespace and search attributes);
# the command chooses which. Production runs the compiled build (npm run build: JavaScript in dist/ and
# the workflows bundled ahead of time), not tsx. Used by docker-compose.yml.

# ---- build: all dependencies, compile, bundle
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json *.ts ./
COPY activities ./activities
COPY api ./api
COPY codec ./codec
COPY db ./db
COPY domain ./domain
COPY observability ./observability
COPY workflows ./workflows
COPY scripts ./scripts
COPY dashboard ./dashboard
RUN npm run build

# ---- runtime: production dependencies and dist/ only (the dashboard's built files in dist/dashboard/dist)
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WORKER_METRICS_HOST=0.0.0.0 \
    LOG_FORMAT=json
USER node
EXPOSE 3000 9464

# Default: the API. The worker runs `node dist/worker.js` (no Node flags: see
# scripts/temporal-dev-flags.mjs).
CMD ["node", "dist/api/server.js"]
