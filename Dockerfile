# The function's runtime image for teams with a Docker engine. `npm run package` assembles the
# same layout without one (scripts/lib/function-image.ts): Node 20 at /nodejs/bin/node, the
# bundled function at /function/main.mjs, user 65532, gRPC on 9443 with TLS from /tls/server.
# A test holds this file's entrypoint, environment, user and port to the packaged image's.
#
#   TAG=v$(node -p "require('./package.json').version")
#   docker build -t ghcr.io/k8tre/function-k8tre-azure:$TAG .
#   crossplane xpkg build --package-root=functions/k8tre/package \
#     --embed-runtime-image=ghcr.io/k8tre/function-k8tre-azure:$TAG -o function.xpkg

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Only the bundler and the function's dependencies are needed; no install scripts run.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY functions ./functions
COPY imports ./imports
COPY generated ./generated
COPY scripts/bundle-function.mjs ./scripts/
COPY scripts/bundle ./scripts/bundle
RUN node scripts/bundle-function.mjs /out/main.mjs

FROM gcr.io/distroless/nodejs20-debian12:nonroot
COPY --from=build /out/main.mjs /function/main.mjs
WORKDIR /function
ENV NODE_ENV=production
ENV GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072
USER 65532:65532
EXPOSE 9443/tcp
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=16", "--no-concurrent-recompilation", "/function/main.mjs"]
