# One image for the API, the worker and the one-shot jobs (migrations, search attributes); the command
# chooses which. TypeScript runs through tsx, as in development. Used by docker-compose.yml.
FROM node:20-slim

WORKDIR /app

# Dependencies first, so source edits do not reinstall them. tsx and the Temporal/Drizzle runtime are
# production dependencies; the dev tools (vitest, biome, drizzle-kit, tsc) are left out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Only the sources the processes need (listed explicitly so a host node_modules/, .data/ or .tools/ in the
# build context never ends up in the image).
COPY tsconfig.json *.ts ./
COPY activities ./activities
COPY api ./api
COPY db ./db
COPY domain ./domain
COPY workflows ./workflows
COPY scripts ./scripts

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
USER node
EXPOSE 3000

# Default: the API. The worker runs `node --max-semi-space-size=64 --import tsx worker.ts` (see
# scripts/temporal-dev-flags.mjs).
CMD ["node", "--import", "tsx", "api/server.ts"]
