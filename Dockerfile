# syntax=docker/dockerfile:1
#
# directconnect-exporter container image: a release build on Debian bookworm, run on
# distroless cc-debian12 (glibc, CA certificates, tzdata, no shell) as the non-root user
# 65532. The builder is bookworm on purpose: the binary links glibc dynamically, so the
# builder's glibc must not be newer than the runtime's (Debian 12, glibc 2.36).
#
#   docker build -t directconnect-exporter:dev .
#   docker run --rm -p 9840:9840 directconnect-exporter:dev --demo
#
# See deploy/README.md. TLS uses rustls (aws-lc-rs); no OpenSSL in the image.

ARG RUST_VERSION=1.95

FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src
# Only what the build needs (see .dockerignore): the manifest, the lock file, build.rs,
# .cargo/config.toml (the allocator's settings), src/ and benches/ (the manifest
# declares the bench targets, so cargo wants their files).
# The context has no .git: pass the revision for build_info with
#   --build-arg DX_EXPORTER_REVISION=$(git rev-parse --short=12 HEAD)
ARG DX_EXPORTER_REVISION=unknown
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo ./.cargo
COPY src ./src
COPY benches ./benches
# Cache mounts keep the registry and target dir between builds; the binary is copied
# out of the cached target dir in the same step, since the mount is gone afterwards.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin directconnect-exporter \
    && install -D -m 0755 target/release/directconnect-exporter /out/directconnect-exporter

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="directconnect-exporter" \
      org.opencontainers.image.description="Prometheus exporter for AWS Direct Connect" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=builder /out/directconnect-exporter /usr/local/bin/directconnect-exporter
# nonroot = 65532:65532 in distroless; numeric so that runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 9840
ENTRYPOINT ["/usr/local/bin/directconnect-exporter"]
