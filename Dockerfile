# The podpin agent image, built from the npm package (what `npm pack` puts in podpin-<version>.tgz):
#   npm pack && docker build -t podpin:dev .
# The image holds the published package and its runtime dependencies only.

FROM node:20-bookworm-slim AS package
WORKDIR /build
COPY podpin-*.tgz ./
# Exactly one tarball: an old one left beside the new would make the install ambiguous.
RUN test "$(ls podpin-*.tgz | wc -l)" -eq 1 && mv podpin-*.tgz podpin.tgz

FROM node:20-bookworm-slim
ENV NODE_ENV=production
COPY --from=package /build/podpin.tgz /tmp/podpin.tgz
RUN npm install -g /tmp/podpin.tgz --omit=dev --no-audit --no-fund \
  && rm /tmp/podpin.tgz \
  && npm cache clean --force \
  && podpin --version
# The agent needs root to read the kubelet's files (see deploy/daemonset.yaml); nothing else runs here.
USER root
ENTRYPOINT ["podpin"]
CMD ["agent", "--help"]
