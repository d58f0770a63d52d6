// W2 fire-and-forget on core NATS (no JetStream): one publisher connection publishes N
// messages of SIZE random bytes as fast as nats.js takes them (flushing every BATCH);
// one subscriber connection counts them. Nothing is acknowledged. The figure is
// delivered / (time from the first publish to the last message received); messages
// the subscriber never saw (core NATS drops for a slow consumer) are reported as lost
// once nothing has arrived for STALL_S seconds.
//
// env: NATS_URL (127.0.0.1:4222), N (1000000), SIZE (256), BATCH (1000), TIMEOUT_S (120), STALL_S (5)
import { connect } from "nats";
import { emit, deadline, envInt, payloads, Seen, clientVersion, round, failure } from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const N = envInt("N", 1_000_000);
const SIZE = envInt("SIZE", 256);
const BATCH = envInt("BATCH", 1000);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STALL_S = envInt("STALL_S", 5);
const SUBJECT = `w2bench.${process.pid}.data`;

const seen = new Seen(N);
let published = 0;
const base = {
  peer: "nats", workload: "W2", mode: "core publish/subscribe, no acks",
  client: `nats.js ${clientVersion("nats")}`, messages: N, payload_bytes: SIZE,
  progress: () => ({ published, delivered: seen.unique }),
};
const cancel = deadline(TIMEOUT_S, base);

async function main() {
  const data = payloads(Math.min(N, 65_536), SIZE);
  const ncSub = await connect({ servers: url, name: "w2-subscriber" });
  const ncPub = await connect({ servers: url, name: "w2-publisher" });
  let last = process.hrtime.bigint();
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  ncSub.subscribe(SUBJECT, {
    callback: (err, m) => {
      if (err) return;
      seen.unique++;
      last = process.hrtime.bigint();
      if (seen.unique === N) resolveDone();
    },
  });
  await ncSub.flush();

  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    ncPub.publish(SUBJECT, data[i % data.length]);
    published++;
    if (published % BATCH === 0) await ncPub.flush();
  }
  await ncPub.flush();
  const publishSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  // Wait for the last message, or until nothing has arrived for STALL_S seconds.
  while (seen.unique < N) {
    const idle = Number(process.hrtime.bigint() - last) / 1e9;
    if (idle > STALL_S) break;
    await Promise.race([done, new Promise((r) => setTimeout(r, 200))]);
  }
  const seconds = Number(last - t0) / 1e9;
  const serverVersion = ncPub.info?.version;
  await ncPub.drain();
  await ncSub.drain();
  cancel();
  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, delivered: seen.unique, lost: N - seen.unique,
    seconds: round(seconds, 3), publish_seconds: round(publishSeconds, 3), msgs_per_s: Math.round(seen.unique / seconds),
  });
}

main().catch(failure(cancel, base));
