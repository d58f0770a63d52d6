// W4 request/reply, durable both ways, on NATS JetStream (file storage): the peer of
// TamTam's `w4 --mode request` (RequestAsync/ReplyAsync: a stored, acknowledged request
// and a stored, acknowledged reply per round trip). Core NATS request() (w4-nats.mjs)
// stores nothing; this script gives NATS the same duties as TamTam.
// Two file-storage streams: W4RREQ on w4rbench.req, W4RREP on w4rbench.rep.<requester>.
// The responder consumes requests (durable pull consumer, explicit ack), publishes the
// echo to the request's reply subject awaiting its PubAck, then acks the request. The
// requester publishes each request awaiting its PubAck, then takes the reply from its
// own durable consumer of W4RREP and acks it. One round trip at a time; WARMUP untimed
// first. Prints p50/p99/p99.9 (nearest rank) in microseconds.
//
// env: NATS_URL (127.0.0.1:4222), N (20000), SIZE (64), WARMUP (1000), TIMEOUT_S (120)
import { connect, StorageType, RetentionPolicy, AckPolicy, DeliverPolicy, headers } from "nats";
import { emit, deadline, envInt, payloads, clientVersion, round, failure, latencySummary } from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const N = envInt("N", 20_000);
const SIZE = envInt("SIZE", 64);
const WARMUP = envInt("WARMUP", 1000);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const REQUESTS = "W4RREQ";
const REPLIES = "W4RREP";
const REQUEST_SUBJECT = "w4rbench.req";
const REPLY_SUBJECT = `w4rbench.rep.${process.pid}`;

let done = 0;
const base = {
  peer: "nats", workload: "W4", mode: "jetstream file storage request/reply, stored and acked both ways",
  client: `nats.js ${clientVersion("nats")}`, messages: N, payload_bytes: SIZE, warmup: WARMUP,
  progress: () => ({ round_trips: done }),
};
const cancel = deadline(TIMEOUT_S, base);

async function main() {
  const data = payloads(N + WARMUP, SIZE);
  const ncResp = await connect({ servers: url, name: "w4r-responder" });
  const ncReq = await connect({ servers: url, name: "w4r-requester" });
  const serverVersion = ncReq.info?.version;
  const jsm = await ncReq.jetstreamManager();
  for (const [name, subjects] of [[REQUESTS, [REQUEST_SUBJECT]], [REPLIES, ["w4rbench.rep.*"]]]) {
    try { await jsm.streams.delete(name); } catch { /* absent */ }
    await jsm.streams.add({ name, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits, num_replicas: 1 });
  }
  await jsm.consumers.add(REQUESTS, { durable_name: "responder", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  await jsm.consumers.add(REPLIES, {
    durable_name: `requester-${process.pid}`, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
    filter_subject: REPLY_SUBJECT,
  });

  // responder: each request's echo is stored (PubAck) before the request is acked
  const jsResp = ncResp.jetstream();
  const requests = await (await jsResp.consumers.get(REQUESTS, "responder")).consume({ max_messages: 100 });
  const responding = (async () => {
    for await (const m of requests) {
      await jsResp.publish(m.headers.get("reply-to"), m.data);
      m.ack();
    }
  })();

  // requester: its replies, one at a time, from its own durable consumer
  const jsReq = ncReq.jetstream();
  const replies = (await jsReq.consumers.get(REPLIES, `requester-${process.pid}`)).consume({ max_messages: 100 });
  const replyIterator = (await replies)[Symbol.asyncIterator]();
  async function roundTrip(payload) {
    const h = headers();
    h.set("reply-to", REPLY_SUBJECT);
    await jsReq.publish(REQUEST_SUBJECT, payload, { headers: h });
    const { value: reply } = await replyIterator.next();
    reply.ack();
    if (reply.data.length !== SIZE || reply.data[0] !== payload[0] || reply.data[SIZE - 1] !== payload[SIZE - 1]) {
      throw new Error(`reply ${done} does not echo its request`);
    }
  }

  for (let i = 0; i < WARMUP; i++) await roundTrip(data[N + i]);

  const lat = new Float64Array(N);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const s = process.hrtime.bigint();
    await roundTrip(data[i]);
    lat[i] = Number(process.hrtime.bigint() - s) / 1e3;
    done++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await ncReq.flush(); // the last reply's ack is with the server
  // Closed, not drained: a consumer's pending pull would keep a drain waiting for its expiry.
  requests.stop();
  (await replies).stop();
  await Promise.all([ncReq.close(), ncResp.close()]);
  await responding.catch(() => { /* ended by the close */ });
  cancel();

  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, seconds: round(seconds, 3),
    round_trips_per_s: Math.round(N / seconds),
    latency_us: latencySummary(lat),
  });
}

main().catch(failure(cancel, base));
