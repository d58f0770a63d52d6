// Shared helpers for the peer benchmark scripts: JSON output, a hard time bound,
// random payloads carrying a sequence number, percentiles, client versions.
import { randomBytes, createCipheriv, createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function envInt(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

export function clientVersion(pkg) {
  const p = require.resolve(`${pkg}/package.json`);
  return JSON.parse(readFileSync(p, "utf8")).version;
}

// Prints exactly one JSON line on stdout.
export function emit(obj) {
  process.stdout.write(JSON.stringify({ ...obj, date: new Date().toISOString() }) + "\n");
}

// Aborts the whole process after `seconds` with one JSON error line.
export function deadline(seconds, base) {
  const t = setTimeout(() => {
    emit({ ...base, error: `timed out after ${seconds} s`, progress: base.progress?.() });
    process.exit(2);
  }, seconds * 1000);
  return () => clearTimeout(t);
}

// count payloads of `size` random bytes (generated now) with a big-endian
// uint32 sequence number in the first 4 bytes so the receiver can check it got
// every message exactly once.
export function payloads(count, size) {
  if (size < 4) throw new Error("payload size must be >= 4");
  const buf = randomBytes(count * size);
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = buf.subarray(i * size, (i + 1) * size);
    p.writeUInt32BE(i, 0);
    out[i] = p;
  }
  return out;
}

// Tracks which sequence numbers have arrived.
export class Seen {
  constructor(n) { this.bits = new Uint8Array(n); this.unique = 0; this.dups = 0; this.bad = 0; }
  mark(buf) {
    if (buf.length < 4) { this.bad++; return; }
    const i = ((buf[0] << 24) >>> 0) + (buf[1] << 16) + (buf[2] << 8) + buf[3];
    if (i >= this.bits.length) { this.bad++; return; }
    if (this.bits[i]) this.dups++; else { this.bits[i] = 1; this.unique++; }
  }
}

// Nearest-rank percentile of an ascending sorted array.
export function percentile(sorted, p) {
  const k = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(k, sorted.length) - 1];
}

export function round(x, d = 1) { const f = 10 ** d; return Math.round(x * f) / f; }

// mqtt.js connection options shared by the Mosquitto scripts: a clean session, no
// automatic reconnection (a dropped connection must fail the run, not hide in it).
export function mqttOptions(id, protocolVersion) {
  return {
    clientId: `${id}-${process.pid}`, clean: true, protocolVersion,
    reconnectPeriod: 0, connectTimeout: 10_000, keepalive: 60,
  };
}

// The error path of every script: stop the deadline, print one JSON line with the
// error and the progress so far, exit non-zero.
export function failure(cancel, base) {
  return (e) => {
    cancel();
    const { progress, ...rest } = base;
    emit({ ...rest, error: String(e?.message ?? e), progress: progress?.() });
    process.exit(1);
  };
}

// Sorts the round-trip times (µs) in place and summarises them: nearest-rank
// percentiles, mean, min and max.
export function latencySummary(lat) {
  lat.sort();
  let sum = 0;
  for (const x of lat) sum += x;
  const n = lat.length;
  return {
    p50: round(percentile(lat, 0.5)), p99: round(percentile(lat, 0.99)),
    p999: round(percentile(lat, 0.999)), mean: round(sum / n), min: round(lat[0]), max: round(lat[n - 1]),
  };
}

// --- W5 (large transfer) helpers -------------------------------------------------

// A byte count from the environment: a plain number, or one with a binary suffix
// K, M or G (256M = 256 MiB, 1G = 1 GiB).
export function envBytes(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const m = /^(\d+)([KMG]?)(i?B)?$/i.exec(v.trim());
  if (!m) throw new Error(`${name} must be a byte count like 65536, 128K, 256M or 1G, got ${v}`);
  const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Number.parseInt(m[1], 10) * mult;
}

// A seeded stream of random bytes: the AES-128-CTR keystream of a 16-byte seed
// (AES-NI makes it several GB/s, so producing the bytes costs little next to moving
// them). The same seed gives the same bytes, so the expected SHA-256 can be taken
// beforehand, outside the timing, and the bytes made again as they are sent; the
// payload is never held whole in memory.
export class SeededBytes {
  constructor(seed, chunk) {
    this.seed = seed;
    this.zeros = Buffer.alloc(chunk);
    this.cipher = createCipheriv("aes-128-ctr", seed, Buffer.alloc(16));
  }
  // the next n (<= chunk) bytes, in a new buffer
  next(n) { return this.cipher.update(n === this.zeros.length ? this.zeros : this.zeros.subarray(0, n)); }
}

// SHA-256 (hex) of the first `size` bytes of the seed's stream, made chunk by chunk.
export function seededSha256(seed, size, chunk) {
  const gen = new SeededBytes(seed, chunk);
  const h = createHash("sha256");
  for (let done = 0; done < size; done += chunk) h.update(gen.next(Math.min(chunk, size - done)));
  return h.digest("hex");
}

// The broker's own process, when run.sh says which it is (NATS_SERVER_PID /
// MQTT_SERVER_PID): resident set now and its peak (VmRSS / VmHWM, kB), and CPU time
// (user + system, s). Every field is null when /proc cannot be read.
export function procStats(pid) {
  const out = { rss_kb: null, hwm_kb: null, cpu_s: null };
  if (!pid) return out;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    out.rss_kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) || null;
    out.hwm_kb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? NaN) || null;
    // fields after the command name (which may hold spaces): utime is the 14th field
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.cpu_s = (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch { /* not ours to read, or gone */ }
  return out;
}

// Resets the broker's VmHWM to its current RSS (proc(5): writing 5 to clear_refs),
// so the peak read after a run is that run's. Needs to own the process or be root;
// returns whether it worked.
export function resetPeakRss(pid) {
  if (!pid) return false;
  try { writeFileSync(`/proc/${pid}/clear_refs`, "5"); return true; } catch { return false; }
}

// The fields every W5 result ends with: the payload's hashes, the broker's memory and CPU over the run (from
// procStats before and after, VmHWM reset by resetPeakRss when peakReset) and this client's own CPU and memory.
export function transferFigures({ expected, actual, before, after, peakReset, cpu, ok }) {
  return {
    sha256_expected: expected, sha256_received: actual, sha256_match: actual === expected,
    server_rss_before_kb: before.rss_kb,
    server_peak_rss_kb: after.hwm_kb, server_peak_rss_scope: peakReset ? "this run" : "server lifetime",
    server_peak_rss_growth_kb: peakReset && after.hwm_kb && before.rss_kb ? after.hwm_kb - before.rss_kb : null,
    server_cpu_seconds: after.cpu_s !== null && before.cpu_s !== null ? round(after.cpu_s - before.cpu_s, 2) : null,
    client_cpu_seconds: round((cpu.user + cpu.system) / 1e6, 2),
    client_peak_rss_kb: process.resourceUsage().maxRSS,
    ...(ok ? {} : { error: "SHA-256 or size mismatch" }),
  };
}
