# Companion: multi-stage build into a small non-root image.
# The steps mirror the Makefile's `build` target (npm ci, wasm, webbuild, server);
# change both together.

FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# make wasm
RUN GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o web/app.wasm ./cmd/pwa
# make web
RUN go run ./cmd/webbuild -node-modules node_modules -web web
# make bin/companion (static, so the runtime image needs no libc)
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/companion ./cmd/companion

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home companion
WORKDIR /app
COPY --from=build /out/companion /app/companion
COPY --from=build /src/web /app/web
ENV ADDR=0.0.0.0 PORT=8080 METRICS_ADDR=0.0.0.0:9090 WEB_DIR=/app/web
EXPOSE 8080 9090
USER 10001:10001
ENTRYPOINT ["/app/companion"]
