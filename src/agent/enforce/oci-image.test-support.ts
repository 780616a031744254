import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type TarEntry, tarArchive } from "./tar.test-support.js";

/**
 * OCI image archives for the containerd tests, built from the host's static busybox: one
 * uncompressed layer (busybox and its applet links), an image config with the entrypoint, a
 * manifest and an index, in the OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`),
 * tarred. `ctr images import` takes the archive and names the image after the index's
 * `io.containerd.image.name` annotation. No registry is involved.
 */

export const STATIC_BUSYBOX = "/bin/busybox";

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
};

export interface OciImageOptions {
  /** The full reference, e.g. `podpin.test/busybox:1`. */
  name: string;
  entrypoint: string[];
  /** Busybox applets linked in /bin (default sh, sleep, cat). */
  applets?: string[];
  busybox?: string;
}

export interface OciImage {
  name: string;
  archive: Buffer;
  manifestDigest: string;
}

interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

function blob(bytes: Buffer): Blob {
  return { digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length, bytes };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");

/** The OCI name of this machine's architecture. */
export function ociArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  const name = names[arch];
  if (!name) throw new Error(`no OCI architecture name for ${arch}`);
  return name;
}

function rootfsLayer(busybox: Buffer, applets: readonly string[]): Buffer {
  const entries: TarEntry[] = [
    { type: "dir", name: "bin" },
    { type: "file", name: "bin/busybox", data: busybox, mode: 0o755 },
    ...applets.map((a): TarEntry => ({ type: "symlink", name: `bin/${a}`, target: "busybox" })),
    { type: "dir", name: "dev" },
    { type: "dir", name: "etc" },
    { type: "dir", name: "proc" },
    { type: "dir", name: "sys" },
    { type: "dir", name: "root", mode: 0o700 },
    { type: "dir", name: "tmp", mode: 0o1777 },
  ];
  return tarArchive(entries);
}

export function ociImage(opts: OciImageOptions): OciImage {
  const busybox = readFileSync(opts.busybox ?? STATIC_BUSYBOX);
  const layer = blob(rootfsLayer(busybox, opts.applets ?? ["sh", "sleep", "cat"]));
  const architecture = ociArchitecture();
  const config = blob(
    json({
      created: "1970-01-01T00:00:00Z",
      architecture,
      os: "linux",
      config: { Entrypoint: opts.entrypoint, Env: ["PATH=/bin"], WorkingDir: "/" },
      rootfs: { type: "layers", diff_ids: [layer.digest] },
      history: [{ created: "1970-01-01T00:00:00Z", created_by: "podpin test image (static busybox)" }],
    }),
  );
  const manifest = blob(
    json({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: MEDIA.layer, digest: layer.digest, size: layer.size }],
    }),
  );
  const tag = opts.name.slice(opts.name.lastIndexOf(":") + 1);
  const index = json({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifest.digest,
        size: manifest.size,
        platform: { architecture, os: "linux" },
        annotations: { "io.containerd.image.name": opts.name, "org.opencontainers.image.ref.name": tag },
      },
    ],
  });
  const blobs = [layer, config, manifest].map(
    (b): TarEntry => ({
      type: "file",
      name: `blobs/sha256/${b.digest.slice("sha256:".length)}`,
      data: b.bytes,
    }),
  );
  const archive = tarArchive([
    { type: "file", name: "oci-layout", data: json({ imageLayoutVersion: "1.0.0" }) },
    { type: "file", name: "index.json", data: index },
    { type: "dir", name: "blobs" },
    { type: "dir", name: "blobs/sha256" },
    ...blobs,
  ]);
  return { name: opts.name, archive, manifestDigest: manifest.digest };
}
