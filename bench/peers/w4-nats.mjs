// W4 request/reply latency on core NATS (no JetStream).
// A responder connection echoes each request; a requester connection sends
// N sequential requests of SIZE random bytes, one at a time, and times each round
// trip (request() to reply in hand) with process.hrtime. WARMUP untimed round trips
// go first. Prints p50/p99/p99.9 (nearest rank) in microseconds.
//
// env: NATS_URL (127.0.0.1:4222), N (20000), SIZE (64), WARMUP (1000), TIMEOUT_S (120)
import { connect } from "nats";
import { emit, deadline, envInt, payloads, clientVersion, round, failure, latencySummary } from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const N = envInt("N", 20_000);
const SIZE = envInt("SIZE", 64);
const WARMUP = envInt("WARMUP", 1000);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const SUBJECT = `w4bench.${process.pid}.echo`;

let done = 0;
const base = {
  peer: "nats", workload: "W4", mode: "core request/reply",
  client: `nats.js ${clientVersion("nats")}`, messages: N, payload_bytes: SIZE, warmup: WARMUP,
  progress: () => ({ round_trips: done }),
};
const cancel = deadline(TIMEOUT_S, base);

async function main() {
  const data = payloads(N + WARMUP, SIZE);
  const ncResp = await connect({ servers: url, name: "w4-responder" });
  const ncReq = await connect({ servers: url, name: "w4-requester" });
  ncResp.subscribe(SUBJECT, { callback: (err, m) => { if (!err) m.respond(m.data); } });
  await ncResp.flush(); // subscription registered before the first request

  for (let i = 0; i < WARMUP; i++) await ncReq.request(SUBJECT, data[N + i], { timeout: 5000 });

  const lat = new Float64Array(N);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const s = process.hrtime.bigint();
    const r = await ncReq.request(SUBJECT, data[i], { timeout: 5000 });
    const e = process.hrtime.bigint();
    if (r.data.length !== SIZE || r.data[0] !== data[i][0] || r.data[SIZE - 1] !== data[i][SIZE - 1]) {
      throw new Error(`reply ${i} does not echo its request`);
    }
    lat[i] = Number(e - s) / 1e3;
    done++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const serverVersion = ncReq.info?.version;
  await ncReq.drain();
  await ncResp.drain();
  cancel();

  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, seconds: round(seconds, 3),
    round_trips_per_s: Math.round(N / seconds),
    latency_us: latencySummary(lat),
  });
}

main().catch(failure(cancel, base));
