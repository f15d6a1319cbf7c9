# CleverAgents Server image: a release build with the static Swift standard library on a slim
# Debian runtime, run as a non-root user. Base images are build arguments so that CI can build
# from locally made images; the defaults are the production ones.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product cleveragents \
    && mkdir -p /out \
    && cp "$(swift build -c release --show-bin-path)/cleveragents" /out/cleveragents \
    && strip /out/cleveragents

FROM ${RUNTIME_IMAGE} AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 65532 --no-create-home --shell /usr/sbin/nologin cleveragents
COPY --from=build --chown=65532:65532 /out/cleveragents /usr/local/bin/cleveragents
COPY --chown=65532:65532 config/cleveragents.yaml /etc/cleveragents/cleveragents.yaml
USER 65532:65532
ENV CLEVERAGENTS_HTTP_HOST=0.0.0.0 \
    CLEVERAGENTS_HTTP_PORT=8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/cleveragents"]
CMD ["serve", "--config", "/etc/cleveragents/cleveragents.yaml"]
