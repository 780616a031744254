/**
 * The device plugin's `ContainerAllocateResponse` (device plugin API v1beta1), which the Device
 * Manager checkpoint stores as protobuf bytes in `AllocResp` (checkpoints.md §9.2):
 *
 *   1 envs        map<string,string>
 *   2 mounts      repeated Mount      {1 container_path, 2 host_path, 3 read_only}
 *   3 devices     repeated DeviceSpec {1 container_path, 2 host_path, 3 permissions}
 *   4 annotations map<string,string>
 *   5 cdi_devices repeated CDIDevice  {1 name}
 *
 * A restore keeps an entry only when these bytes decode (§9.5 step 5), and two kubelet
 * generations decode them with two libraries that disagree on damaged input:
 * - `google` (`proto.Unmarshal` of google.golang.org/protobuf, kubelets 1.30 and later): proto3
 *   strings must be valid UTF-8; a known field with an unexpected wire type is kept as an unknown
 *   field; group numbers must match.
 * - `gogo` (the gogo-protobuf generated `Unmarshal` of the V1-fallback kubelets, 1.23–1.29): no
 *   UTF-8 check; a known field with an unexpected wire type is an error; map entry keys and values
 *   are read without looking at their wire type, against the end of the whole message.
 * Both allow unknown fields and keep the last value of a scalar or of a repeated map key.
 */
import {
  type Cursor,
  WireError,
  consumeGoogleField,
  goVarint,
  gogoInt,
  gogoTag,
  gogoVarint,
  readGoogleTag,
  skipGogoField,
} from "./wire.js";

export interface Mount {
  containerPath: string;
  hostPath: string;
  readOnly: boolean;
}

export interface DeviceSpec {
  containerPath: string;
  hostPath: string;
  permissions: string;
}

export interface ContainerAllocateResponse {
  envs: Map<string, string>;
  mounts: Mount[];
  devices: DeviceSpec[];
  annotations: Map<string, string>;
  /** The `name` of each CDI device, in order. */
  cdiDevices: string[];
  /** How many fields this API version does not know the bytes held (allowed, and kept there). */
  unknownFields: number;
}

export type ProtobufDialect = "google" | "gogo";

export type AllocRespDecode = { ok: true; value: ContainerAllocateResponse } | { ok: false; error: string };

export function emptyAllocateResponse(): ContainerAllocateResponse {
  return {
    envs: new Map(),
    mounts: [],
    devices: [],
    annotations: new Map(),
    cdiDevices: [],
    unknownFields: 0,
  };
}

const strictUTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientUTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

// ---- decoding ----

interface Reader {
  dialect: ProtobufDialect;
  c: Cursor;
}

/** A length-delimited payload at the cursor, as [start, end), bounded by `limit`. */
function payload(r: Reader, limit: number): [number, number] {
  const { c } = r;
  const n = r.dialect === "google" ? goVarint(c, limit) : Number(gogoInt(c, limit));
  if (n < 0 || n > limit - c.pos) throw new WireError("length past the end of the message");
  const start = c.pos;
  c.pos += n;
  return [start, c.pos];
}

function str(r: Reader, limit: number): string {
  const [s, e] = payload(r, limit);
  const bytes = r.c.bytes.subarray(s, e);
  // gogo copies the bytes into a Go string unchecked; such a string has no exact JS form, so
  // invalid sequences show as U+FFFD here.
  if (r.dialect === "gogo") return lenientUTF8.decode(bytes);
  try {
    return strictUTF8.decode(bytes);
  } catch {
    throw new WireError("string field contains invalid UTF-8");
  }
}

function bool(r: Reader, limit: number): boolean {
  return r.dialect === "google" ? goVarint(r.c, limit) !== 0 : gogoVarint(r.c, limit) !== 0n;
}

/** How one message type reads its known fields; false = not a known field of that wire type. */
type Fields = (r: Reader, num: number, wireType: number, end: number) => boolean;

/**
 * A message body in [r.c.pos, end), known fields by `fields`, the rest skipped as unknown. In gogo
 * a known field with another wire type is an error; in google it is an unknown field.
 */
function message(r: Reader, end: number, known: Record<number, number>, fields: Fields): number {
  const { c } = r;
  let unknown = 0;
  while (c.pos < end) {
    const start = c.pos;
    const { num, wireType } = r.dialect === "google" ? readGoogleTag(c, end) : gogoTag(c, end);
    if (r.dialect === "gogo") {
      if (wireType === 4) throw new WireError("end group outside a group");
      if (num <= 0) throw new WireError(`illegal tag ${num}`);
      if (known[num] !== undefined && known[num] !== wireType)
        throw new WireError(`wrong wire type ${wireType} for field ${num}`);
    }
    if (known[num] === wireType && fields(r, num, wireType, end)) continue;
    unknown++;
    if (r.dialect === "google") consumeGoogleField(c, end, num, wireType);
    else {
      c.pos = start;
      skipGogoField(c, end);
    }
  }
  return unknown;
}

/** A map<string,string> entry; `messageEnd` is the end of the message holding the map. */
function mapEntry(r: Reader, messageEnd: number): [string, string] {
  const [s, e] = payload(r, messageEnd);
  const { c } = r;
  const entry: Reader = { dialect: r.dialect, c: { bytes: c.bytes, pos: s } };
  const kv = ["", ""];
  if (r.dialect === "google") {
    message(entry, e, { 1: 2, 2: 2 }, (x, num, _w, end) => {
      kv[num - 1] = str(x, end);
      return true;
    });
  } else {
    // The generated code reads an entry against the end of the whole message, and takes fields 1
    // and 2 as strings whatever their wire type.
    const ec = entry.c;
    while (ec.pos < e) {
      const before = ec.pos;
      const { num } = gogoTag(ec, messageEnd);
      if (num === 1 || num === 2) {
        kv[num - 1] = str(entry, messageEnd);
        continue;
      }
      ec.pos = before;
      skipGogoField(ec, messageEnd);
      if (ec.pos > e) throw new WireError("map entry field past the end of the entry");
    }
  }
  c.pos = e;
  return [kv[0], kv[1]];
}

function subMessage(r: Reader, messageEnd: number, known: Record<number, number>, fields: Fields): void {
  const [s, e] = payload(r, messageEnd);
  message({ dialect: r.dialect, c: { bytes: r.c.bytes, pos: s } }, e, known, fields);
  r.c.pos = e;
}

function mount(r: Reader, end: number): Mount {
  const m: Mount = { containerPath: "", hostPath: "", readOnly: false };
  subMessage(r, end, { 1: 2, 2: 2, 3: 0 }, (x, num, _w, e) => {
    if (num === 1) m.containerPath = str(x, e);
    else if (num === 2) m.hostPath = str(x, e);
    else m.readOnly = bool(x, e);
    return true;
  });
  return m;
}

function deviceSpec(r: Reader, end: number): DeviceSpec {
  const d: DeviceSpec = { containerPath: "", hostPath: "", permissions: "" };
  subMessage(r, end, { 1: 2, 2: 2, 3: 2 }, (x, num, _w, e) => {
    if (num === 1) d.containerPath = str(x, e);
    else if (num === 2) d.hostPath = str(x, e);
    else d.permissions = str(x, e);
    return true;
  });
  return d;
}

function cdiDevice(r: Reader, end: number): string {
  let name = "";
  subMessage(r, end, { 1: 2 }, (x, _n, _w, e) => {
    name = str(x, e);
    return true;
  });
  return name;
}

/** Decodes `bytes` as a `ContainerAllocateResponse` the way `dialect` does; never throws. */
export function decodeContainerAllocateResponse(
  bytes: Uint8Array,
  dialect: ProtobufDialect = "google",
): AllocRespDecode {
  const resp = emptyAllocateResponse();
  const r: Reader = { dialect, c: { bytes, pos: 0 } };
  try {
    resp.unknownFields = message(r, bytes.length, { 1: 2, 2: 2, 3: 2, 4: 2, 5: 2 }, (x, num, _w, end) => {
      if (num === 1 || num === 4) {
        const [k, v] = mapEntry(x, end);
        (num === 1 ? resp.envs : resp.annotations).set(k, v);
      } else if (num === 2) resp.mounts.push(mount(x, end));
      else if (num === 3) resp.devices.push(deviceSpec(x, end));
      else resp.cdiDevices.push(cdiDevice(x, end));
      return true;
    });
  } catch (err) {
    if (err instanceof WireError) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, value: resp };
}

// ---- encoding ----

function varintBytes(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function lengthField(num: number, body: Uint8Array | number[], out: number[]): void {
  varintBytes(num * 8 + 2, out);
  varintBytes(body.length, out);
  for (const b of body) out.push(b);
}

function stringField(num: number, s: string, out: number[], always = false): void {
  if (s === "" && !always) return;
  lengthField(num, Buffer.from(s, "utf8"), out);
}

function mapField(num: number, m: ReadonlyMap<string, string>, out: number[]): void {
  // Keys ascending, as gogo-protobuf-era kubelets wrote them; deterministic either way.
  for (const k of [...m.keys()].sort()) {
    const entry: number[] = [];
    stringField(1, k, entry, true);
    stringField(2, m.get(k)!, entry, true);
    lengthField(num, entry, out);
  }
}

/**
 * The protobuf encoding of a response (fields ascending, proto3 defaults left out, map keys
 * sorted). An empty response is zero bytes.
 */
export function encodeContainerAllocateResponse(resp: ContainerAllocateResponse): Uint8Array {
  const out: number[] = [];
  mapField(1, resp.envs, out);
  for (const m of resp.mounts) {
    const body: number[] = [];
    stringField(1, m.containerPath, body);
    stringField(2, m.hostPath, body);
    if (m.readOnly) body.push(0x18, 1);
    lengthField(2, body, out);
  }
  for (const d of resp.devices) {
    const body: number[] = [];
    stringField(1, d.containerPath, body);
    stringField(2, d.hostPath, body);
    stringField(3, d.permissions, body);
    lengthField(3, body, out);
  }
  mapField(4, resp.annotations, out);
  for (const name of resp.cdiDevices) {
    const body: number[] = [];
    stringField(1, name, body);
    lengthField(5, body, out);
  }
  return Uint8Array.from(out);
}
