// W5 large transfer on the NATS JetStream object store (file storage).
// The producer puts one object of SIZE random bytes into a bucket; the consumer (a
// second connection) gets it back and hashes what it got with SHA-256, which must
// equal the SHA-256 of what was put. The bytes are an AES-CTR keystream from a seed
// drawn at run time, made chunk by chunk as the put reads them; their SHA-256 is
// computed beforehand, outside the timing. The object store's own client also
// hashes on put and checks the digest on get (both inside the timing: that is how
// the object store works).
// The figure is SIZE / (first byte handed to put() -> last byte got and its SHA-256
// checked). A get can only start once the put has finished (the object's metadata,
// which the get reads first, is written last), so the time is put + get; both are
// reported too.
//
// Flow control: nats.js's put() publishes each chunk as soon as it has read it from
// the stream it is given and awaits all the PubAcks only at the end, each with the
// JetStream context's timeout (5 s by default), whose clock starts when the chunk is
// queued. Given a stream that never waits for I/O, its read loop runs without
// yielding to the event loop: it reads and hashes (in JavaScript) the whole payload
// into the connection's buffer before the first byte is written to the socket, and
// every chunk not stored within 5 s of being queued fails with TIMEOUT. At 256 MiB
// that happens as soon as reading and hashing run below ~51 MiB/s, at 1 GiB below
// ~205 MiB/s (measured here, niced under load: ~25 MiB/s). This script's stream
// therefore hands put() a chunk only while at most WINDOW bytes are published but
// not yet stored (the stream's message count, asked of the server), and the put's
// timeout is the run's own bound. WINDOW=0 feeds put() without waiting (the
// library's behaviour as is); with PUT_TIMEOUT_MS=5000 as well, it is the library's
// defaults, which fail as above.
//
// env: NATS_URL (127.0.0.1:4222), SIZE (256M; K/M/G suffixes), CHUNK (128K, the
//      client's default chunk size; at most the server's max_payload, 1 MiB by
//      default), WINDOW (16M), PUT_TIMEOUT_MS (TIMEOUT_S in ms), SEED (32 hex digits; default random),
//      NATS_SERVER_PID (run.sh sets it: server RSS and CPU), TIMEOUT_S (300)
import { connect, StorageType } from "nats";
import { randomBytes, createHash } from "node:crypto";
import {
  emit, deadline, envInt, envBytes, clientVersion, round, failure,
  SeededBytes, seededSha256, procStats, resetPeakRss, transferFigures,
} from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const SIZE = envBytes("SIZE", 256 * 1024 ** 2);
const CHUNK = envBytes("CHUNK", 128 * 1024);
const WINDOW = envBytes("WINDOW", 16 * 1024 ** 2);
const TIMEOUT_S = envInt("TIMEOUT_S", 300);
const PUT_TIMEOUT_MS = envInt("PUT_TIMEOUT_MS", TIMEOUT_S * 1000);
const SEED = process.env.SEED ? Buffer.from(process.env.SEED, "hex") : randomBytes(16);
const SERVER_PID = envInt("NATS_SERVER_PID", 0);
if (SEED.length !== 16) throw new Error("SEED must be 32 hex digits");
if (SIZE < 1 || CHUNK < 1) throw new Error("SIZE and CHUNK must be > 0");
const BUCKET = "W5BENCH";
const STREAM = `OBJ_${BUCKET}`;
const NAME = `w5-${process.pid}`;

let produced = 0, stored = 0, got = 0, phase = "setup";
const base = {
  peer: "nats", workload: "W5", mode: "jetstream object store, file storage, put then get",
  client: `nats.js ${clientVersion("nats")}`, payload_bytes: SIZE, chunk_bytes: CHUNK,
  window_bytes: WINDOW, put_timeout_ms: PUT_TIMEOUT_MS,
  progress: () => ({ phase, produced_bytes: produced, stored_chunks: stored, got_bytes: got }),
};
const cancel = deadline(TIMEOUT_S, base);
const MiB = 1024 ** 2;

async function main() {
  const expected = seededSha256(SEED, SIZE, Math.min(SIZE, 1 << 20));
  const ncPub = await connect({ servers: url, name: "w5-producer" });
  const ncSub = await connect({ servers: url, name: "w5-consumer" });
  const serverVersion = ncPub.info?.version;
  const maxPayload = ncPub.info?.max_payload;
  if (CHUNK > maxPayload) throw new Error(`CHUNK ${CHUNK} is above the server's max_payload ${maxPayload}`);
  const jsm = await ncPub.jetstreamManager();
  try { await jsm.streams.delete(STREAM); } catch { /* absent */ }
  const js = ncPub.jetstream({ timeout: PUT_TIMEOUT_MS });
  const os = await js.views.os(BUCKET, { storage: StorageType.File, replicas: 1 });

  const gen = new SeededBytes(SEED, CHUNK);
  const rs = new ReadableStream({
    async pull(controller) {
      if (produced >= SIZE) { controller.close(); return; }
      if (WINDOW > 0) {
        // wait while more than WINDOW bytes are published but not yet stored
        while (produced - stored * CHUNK > WINDOW) {
          const si = await jsm.streams.info(STREAM);
          stored = si.state.messages;
          if (produced - stored * CHUNK > WINDOW) await new Promise((r) => setTimeout(r, 1));
        }
      }
      const n = Math.min(CHUNK, SIZE - produced);
      produced += n;
      controller.enqueue(gen.next(n));
    },
  }, { highWaterMark: 0 });

  const osSub = await ncSub.jetstream({ timeout: TIMEOUT_S * 1000 }).views.os(BUCKET);

  const before = procStats(SERVER_PID);
  const peakReset = resetPeakRss(SERVER_PID);
  const cpu0 = process.cpuUsage();

  phase = "put";
  const t0 = process.hrtime.bigint();
  const info = await os.put({ name: NAME, options: { max_chunk_size: CHUNK } }, rs, { timeout: PUT_TIMEOUT_MS })
    .catch((e) => {
      if (e?.code !== "TIMEOUT" && e?.message !== "TIMEOUT") throw e;
      throw new Error(`put: a chunk's PubAck did not come within ${PUT_TIMEOUT_MS} ms of its publish (JetStream publish TIMEOUT) ` +
        `with ${produced} bytes handed to put() and ${stored} chunks known stored`);
    });
  const tPut = process.hrtime.bigint();

  phase = "get";
  const r = await osSub.get(NAME);
  if (r === null) throw new Error("the object was not found after its put");
  const h = createHash("sha256");
  const reader = r.data.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    h.update(value);
    got += value.length;
  }
  const libError = await r.error; // the client's own digest check
  if (libError) throw libError;
  const actual = h.digest("hex");
  const t1 = process.hrtime.bigint();

  const cpu = process.cpuUsage(cpu0);
  const after = procStats(SERVER_PID);
  const seconds = Number(t1 - t0) / 1e9;
  const putSeconds = Number(tPut - t0) / 1e9;
  const getSeconds = Number(t1 - tPut) / 1e9;

  phase = "cleanup";
  await os.destroy();
  await ncSub.drain();
  await ncPub.drain();
  cancel();
  const ok = actual === expected && got === SIZE;
  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, chunks: info.chunks,
    seconds: round(seconds, 3), mb_per_s: round(SIZE / 1e6 / seconds), mib_per_s: round(SIZE / MiB / seconds),
    put_seconds: round(putSeconds, 3), put_mib_per_s: round(SIZE / MiB / putSeconds),
    get_seconds: round(getSeconds, 3), get_mib_per_s: round(SIZE / MiB / getSeconds),
    received_bytes: got,
    ...transferFigures({ expected, actual, before, after, peakReset, cpu, ok }),
  });
  if (!ok) process.exitCode = 1;
}

main().catch(failure(cancel, base));
