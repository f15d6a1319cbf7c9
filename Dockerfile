# CleverAgents Server image: a release build with the static Swift standard library on a slim
# Debian runtime, run as a non-root user with a read-only root filesystem.
#
# Base images are build arguments: the defaults are the production ones, and
# scripts/deploy-check builds the runtime stage from a locally made Debian base and a binary
# built on the host (buildah build --build-context build=DIR --target runtime).
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# SQLite (the local mode's store) links against the system library.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that source changes reuse the resolved packages.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# The manifest names the test targets, so their folders must exist (they are not built).
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product cleveragents \
    && mkdir -p /out \
    && cp "$(swift build -c release --show-bin-path)/cleveragents" /out/cleveragents \
    && strip /out/cleveragents

FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="CleverAgents Server" \
      org.opencontainers.image.description="Multi-tenant A2A agent server running LangGraph graphs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# ca-certificates for TLS to PostgreSQL, LangGraph and webhooks; tzdata for local times in logs;
# libsqlite3-0 and zlib1g, the two system libraries the binary links besides libc and libstdc++.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata libsqlite3-0 zlib1g \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
    && groupadd --system --gid 65532 cleveragents \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin cleveragents
COPY --from=build --chown=0:0 /out/cleveragents /usr/local/bin/cleveragents
# The container's defaults (0.0.0.0:8080, production, JSON logs); the Helm chart mounts its own.
COPY --chown=0:0 config/container.yaml /etc/cleveragents/cleveragents.yaml
# Nothing is written to the root filesystem; HOME points at /tmp, the one writable mount.
ENV HOME=/tmp
USER 65532:65532
WORKDIR /
EXPOSE 8080
# The server is PID 1 and handles SIGTERM itself (graceful shutdown, exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cleveragents"]
CMD ["serve", "--config", "/etc/cleveragents/cleveragents.yaml"]
