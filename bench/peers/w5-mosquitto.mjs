// W5 large transfer on Mosquitto, MQTT QoS 1.
// The producer sends one payload of SIZE random bytes as QoS 1 publishes of CHUNK
// bytes (1 MiB by default) to one topic, with at most WINDOW publishes awaiting
// their PUBACK. The consumer (its own connection, QoS 1 subscription; mqtt.js
// PUBACKs each delivery) puts the chunks back in order and hashes them with
// SHA-256, which must equal the SHA-256 of what was sent. Each message is a 4-byte
// big-endian chunk index followed by the chunk: the consumer checks the order and
// ignores a redelivered chunk (counted as a duplicate); a chunk out of order fails
// the run. The bytes are an AES-CTR keystream from a seed drawn at run time, made
// chunk by chunk as they are sent; their SHA-256 is computed beforehand, outside the
// timing.
// Flow control: Mosquitto PUBACKs a publish once it has read it, not once it has
// delivered it, so WINDOW alone does not stop the producer from outrunning the
// consumer; with max_queued_messages 0 the broker then queues whatever the consumer
// has not read yet (measured here, niced, WINDOW 8 and no other bound: peak RSS
// growth 93 MB for a 64 MiB payload). The producer therefore also waits while AHEAD
// chunks are published but not yet received by the consumer (it is in the same
// process, so it knows at no cost; an application would need its own credit
// messages for that). AHEAD=0 removes that bound.
// The figure is SIZE / (first publish -> the last chunk received and the SHA-256
// compared). The publish phase (first publish -> last PUBACK) is reported too.
// With persistence off, Mosquitto's PUBACK means "in memory", not "on disk".
//
// env: MQTT_URL (mqtt://127.0.0.1:1883), SIZE (256M; K/M/G suffixes), CHUNK (1M),
//      WINDOW (8 publishes awaiting their PUBACK), AHEAD (16 chunks published and
//      not yet received; 0 = no bound), MQTT_VERSION (4 = MQTT 3.1.1, or
//      5), SEED (32 hex digits; default random), MQTT_SERVER_PID (run.sh sets it:
//      server RSS and CPU), TIMEOUT_S (300), STALL_S (10: error out if deliveries
//      stop this long after the last PUBACK)
import mqtt from "mqtt";
import { randomBytes, createHash } from "node:crypto";
import {
  emit, deadline, envInt, envBytes, clientVersion, round, mqttOptions, failure,
  SeededBytes, seededSha256, procStats, resetPeakRss, transferFigures,
} from "./lib.mjs";

const url = process.env.MQTT_URL || "mqtt://127.0.0.1:1883";
const SIZE = envBytes("SIZE", 256 * 1024 ** 2);
const CHUNK = envBytes("CHUNK", 1024 ** 2);
const WINDOW = envInt("WINDOW", 8);
const AHEAD = envInt("AHEAD", 16);
const MQTT_VERSION = envInt("MQTT_VERSION", 4);
const TIMEOUT_S = envInt("TIMEOUT_S", 300);
const STALL_S = envInt("STALL_S", 10);
const SEED = process.env.SEED ? Buffer.from(process.env.SEED, "hex") : randomBytes(16);
const SERVER_PID = envInt("MQTT_SERVER_PID", 0);
if (SEED.length !== 16) throw new Error("SEED must be 32 hex digits");
if (SIZE < 1 || CHUNK < 1) throw new Error("SIZE and CHUNK must be > 0");
if (WINDOW < 1 || WINDOW > 65000) throw new Error("WINDOW must be 1..65000 (MQTT packet ids)");
const CHUNKS = Math.ceil(SIZE / CHUNK);
const TOPIC = `w5bench/${process.pid}/data`;

let published = 0, pubAcked = 0, received = 0, receivedBytes = 0, duplicates = 0;
const base = {
  peer: "mosquitto", workload: "W5",
  mode: `MQTT ${MQTT_VERSION === 5 ? "5" : "3.1.1"} QoS 1 publishes of one payload's chunks + QoS 1 subscription`,
  client: `mqtt.js ${clientVersion("mqtt")}`, payload_bytes: SIZE, chunk_bytes: CHUNK, chunks: CHUNKS, window: WINDOW,
  ahead: AHEAD,
  progress: () => ({ published, pub_acked: pubAcked, received_chunks: received, received_bytes: receivedBytes }),
};
const cancel = deadline(TIMEOUT_S, base);
const opts = (id) => mqttOptions(id, MQTT_VERSION);
const MiB = 1024 ** 2;

async function main() {
  const expected = seededSha256(SEED, SIZE, Math.min(SIZE, 1 << 20));
  const sub = await mqtt.connectAsync(url, opts("w5-sub"));
  const pub = await mqtt.connectAsync(url, opts("w5-pub"));
  for (const c of [sub, pub]) c.on("error", (e) => fail(e));
  const grants = await sub.subscribeAsync(TOPIC, { qos: 1 });
  if (grants[0]?.qos !== 1) throw new Error(`subscription granted ${JSON.stringify(grants)}`);

  // consumer: in order, hashing as the chunks come
  const h = createHash("sha256");
  let resolveDone, actual = null;
  const done = new Promise((r) => { resolveDone = r; });
  sub.on("message", (_topic, message) => {
    if (message.length < 4) return fail(new Error(`a message of ${message.length} bytes`));
    const i = message.readUInt32BE(0);
    if (i < received) { duplicates++; return; } // a redelivery of a chunk already in
    if (i !== received) return fail(new Error(`chunk ${i} arrived when chunk ${received} was expected`));
    const data = message.subarray(4);
    const want = Math.min(CHUNK, SIZE - i * CHUNK);
    if (data.length !== want) return fail(new Error(`chunk ${i} has ${data.length} bytes, not ${want}`));
    h.update(data);
    received++;
    if (wake) { const w = wake; wake = null; w(); }
    receivedBytes += data.length;
    if (received === CHUNKS) { actual = h.digest("hex"); resolveDone(process.hrtime.bigint()); }
  });

  const gen = new SeededBytes(SEED, CHUNK);
  const before = procStats(SERVER_PID);
  const peakReset = resetPeakRss(SERVER_PID);
  const cpu0 = process.cpuUsage();

  // producer: at most WINDOW publishes awaiting their PUBACK
  const t0 = process.hrtime.bigint();
  let inflight = 0, wake = null, pubError = null;
  for (let i = 0; i < CHUNKS; i++) {
    while (inflight >= WINDOW || (AHEAD > 0 && i - received >= AHEAD)) await new Promise((r) => { wake = r; });
    if (pubError) throw pubError;
    const n = Math.min(CHUNK, SIZE - i * CHUNK);
    const message = Buffer.allocUnsafe(4 + n);
    message.writeUInt32BE(i, 0);
    gen.next(n).copy(message, 4);
    inflight++;
    published++;
    pub.publishAsync(TOPIC, message, { qos: 1 }).then(
      () => { pubAcked++; },
      (e) => { pubError ??= e; },
    ).finally(() => { inflight--; if (wake) { const w = wake; wake = null; w(); } });
  }
  while (inflight > 0) await new Promise((r) => { wake = r; });
  if (pubError) throw pubError;
  const tPub = process.hrtime.bigint();

  let last = -1;
  const stall = setInterval(() => {
    if (received === last) fail(new Error(`no delivery for ${STALL_S} s after the last PUBACK: ${CHUNKS - received} of ${CHUNKS} chunks missing`));
    last = received;
  }, STALL_S * 1000);
  const t1 = await done;
  clearInterval(stall);

  const cpu = process.cpuUsage(cpu0);
  const after = procStats(SERVER_PID);
  const seconds = Number(t1 - t0) / 1e9;
  const pubSeconds = Number(tPub - t0) / 1e9;

  await pub.endAsync();
  await sub.endAsync();
  cancel();
  const ok = actual === expected && receivedBytes === SIZE;
  const { progress, ...rest } = base;
  emit({
    ...rest, seconds: round(seconds, 3), mb_per_s: round(SIZE / 1e6 / seconds), mib_per_s: round(SIZE / MiB / seconds),
    publish_seconds: round(pubSeconds, 3), publish_mib_per_s: round(SIZE / MiB / pubSeconds),
    received_bytes: receivedBytes, duplicates,
    ...transferFigures({ expected, actual, before, after, peakReset, cpu, ok }),
  });
  if (!ok) process.exitCode = 1;
}

const fail = failure(cancel, base);

main().catch(fail);
