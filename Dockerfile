# syntax=docker/dockerfile:1
# Build stage: dev dependencies, TypeScript and dashboard (Vite) build, then only production dependencies are kept.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.emulator.json nest-cli.json ./
COPY src ./src
COPY test/emulator ./test/emulator
COPY ui ./ui
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: the built gateway (and the emulator, for local trials), no compiler, non-root.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
