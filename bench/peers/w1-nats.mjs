// W1 acked unicast on NATS JetStream (file storage).
// One producer publishes N messages of SIZE random bytes to a file-storage stream,
// awaiting each PubAck (the server's "stored" acknowledgement) with at most WINDOW
// publishes in flight. One durable pull consumer with AckPolicy.Explicit receives
// them and acks each. The figure is N / (time from the first publish until the
// consumer has acked the Nth message and a flush round trip confirmed the server
// has read those acks).
//
// env: NATS_URL (127.0.0.1:4222), N (200000), SIZE (256), WINDOW (1000),
//      PULL_BATCH (1000, messages per pull request), MAX_ACK_PENDING (10000),
//      TIMEOUT_S (120)
import { connect, StorageType, RetentionPolicy, AckPolicy, DeliverPolicy } from "nats";
import { emit, deadline, envInt, payloads, Seen, clientVersion, round, failure } from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const N = envInt("N", 200_000);
const SIZE = envInt("SIZE", 256);
const WINDOW = envInt("WINDOW", 1000);
const PULL_BATCH = envInt("PULL_BATCH", 1000);
const MAX_ACK_PENDING = envInt("MAX_ACK_PENDING", 10_000);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STREAM = "W1BENCH";
const SUBJECT = "w1bench.data";
const DURABLE = "w1bench-consumer";

let published = 0, pubAcked = 0;
const seen = new Seen(N);
const base = {
  peer: "nats", workload: "W1", mode: "jetstream file storage, publish-ack + explicit consumer ack",
  client: `nats.js ${clientVersion("nats")}`, messages: N, payload_bytes: SIZE, window: WINDOW,
  progress: () => ({ published, pub_acked: pubAcked, delivered: seen.unique }),
};
const cancel = deadline(TIMEOUT_S, base);

async function main() {
  const data = payloads(N, SIZE);
  const ncPub = await connect({ servers: url, name: "w1-producer" });
  const ncSub = await connect({ servers: url, name: "w1-consumer" });
  const serverVersion = ncPub.info?.version;
  const jsm = await ncPub.jetstreamManager();
  try { await jsm.streams.delete(STREAM); } catch { /* absent */ }
  await jsm.streams.add({
    name: STREAM, subjects: [SUBJECT], storage: StorageType.File,
    retention: RetentionPolicy.Limits, num_replicas: 1,
  });
  await jsm.consumers.add(STREAM, {
    durable_name: DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
    max_ack_pending: MAX_ACK_PENDING,
  });

  // consumer: pull, ack each
  const jsSub = ncSub.jetstream();
  const consumer = await jsSub.consumers.get(STREAM, DURABLE);
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const messages = await consumer.consume({
    max_messages: PULL_BATCH,
    callback: (m) => {
      seen.mark(m.data);
      m.ack();
      if (seen.unique === N) resolveDone();
    },
  });

  // producer: windowed publishes, each awaiting its PubAck
  const js = ncPub.jetstream();
  const t0 = process.hrtime.bigint();
  let inflight = 0, wake = null, pubError = null;
  for (let i = 0; i < N; i++) {
    while (inflight >= WINDOW) await new Promise((r) => { wake = r; });
    if (pubError) throw pubError;
    inflight++;
    published++;
    js.publish(SUBJECT, data[i]).then(
      () => { pubAcked++; },
      (e) => { pubError ??= e; },
    ).finally(() => { inflight--; if (wake) { const w = wake; wake = null; w(); } });
  }
  while (inflight > 0) await new Promise((r) => { wake = r; });
  if (pubError) throw pubError;
  const tPub = process.hrtime.bigint();

  await done;
  await ncSub.flush(); // the server has read every ack sent
  const t1 = process.hrtime.bigint();
  const seconds = Number(t1 - t0) / 1e9;

  // outside the timing: check the server's view of the consumer
  let info;
  for (let k = 0; k < 50; k++) {
    info = await jsm.consumers.info(STREAM, DURABLE);
    if (info.num_ack_pending === 0 && info.ack_floor.stream_seq >= N) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  messages.stop();
  await jsm.streams.delete(STREAM);
  await ncSub.drain();
  await ncPub.drain();
  cancel();
  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, seconds: round(seconds, 3),
    msgs_per_s: Math.round(N / seconds),
    publish_phase_msgs_per_s: Math.round(N / (Number(tPub - t0) / 1e9)),
    delivered_unique: seen.unique, duplicates: seen.dups,
    server_ack_floor: info.ack_floor.stream_seq, server_ack_pending: info.num_ack_pending,
  });
  if (seen.unique !== N || info.num_ack_pending !== 0) process.exitCode = 1;
}

main().catch(failure(cancel, base));
