# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript, then drop dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Dependencies' install scripts stay off; our one patch to Bolt (patches/, see README "Performance") is applied explicitly.
RUN npm ci --ignore-scripts && npx patch-package
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and compiled code only, as the unprivileged `node` user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node manifest.yml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM stops the receiver and closes Redis cleanly (src/main.ts).
# Heap limits as in `npm start`: V8 otherwise grows the heap under load and keeps it (bench/results.md).
CMD ["node", "--max-old-space-size=96", "--max-semi-space-size=1", "--v8-pool-size=2", "dist/main.js"]
