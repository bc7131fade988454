# 门店助手 — production image. Build: docker build -t mendian-zhushou .
# Run:   docker run -p 3000:3000 --env-file .env -v mendian-data:/app/data mendian-zhushou

FROM node:22-bookworm-slim AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1
COPY package.json package-lock.json tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY src ./src
COPY cards ./cards
COPY prompts ./prompts
# npm ci runs `prisma generate` (postinstall), which writes the client into src/generated.
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/prompts ./prompts
COPY --from=build --chown=node:node /app/cards ./cards
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# The embedded database lives here when DATABASE_URL is unset; use PostgreSQL for several replicas.
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM → graceful shutdown: stop taking callbacks, finish in-flight handlers and sends.
CMD ["node", "dist/src/main.js"]
