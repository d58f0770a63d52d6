// W3 fanout on core NATS (no JetStream, no acks): one publisher connection publishes
// N messages of SIZE random bytes; SUBSCRIBERS subscriber connections each receive
// every one. The figure is total deliveries / (time from the first publish to the
// last delivery on any subscriber); what never arrived within STALL_S seconds of
// silence is reported as lost (core NATS drops for a slow consumer).
//
// env: NATS_URL (127.0.0.1:4222), N (50000), SIZE (256), SUBSCRIBERS (10), BATCH (1000),
//      TIMEOUT_S (120), STALL_S (5)
import { connect } from "nats";
import { emit, deadline, envInt, payloads, Seen, clientVersion, round, failure } from "./lib.mjs";

const url = process.env.NATS_URL || "127.0.0.1:4222";
const N = envInt("N", 50_000);
const SIZE = envInt("SIZE", 256);
const SUBSCRIBERS = envInt("SUBSCRIBERS", 10);
const BATCH = envInt("BATCH", 1000);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STALL_S = envInt("STALL_S", 5);
const SUBJECT = `w3bench.${process.pid}.data`;
const TOTAL = N * SUBSCRIBERS;

const seen = Array.from({ length: SUBSCRIBERS }, () => new Seen(N));
const delivered = () => seen.reduce((sum, s) => sum + s.unique, 0);
let published = 0;
const base = {
  peer: "nats", workload: "W3", mode: "core fanout, no acks",
  client: `nats.js ${clientVersion("nats")}`, messages: N, subscribers: SUBSCRIBERS, payload_bytes: SIZE,
  progress: () => ({ published, delivered: delivered() }),
};
const cancel = deadline(TIMEOUT_S, base);

async function main() {
  const data = payloads(N, SIZE);
  let last = process.hrtime.bigint();
  let count = 0;
  const subs = [];
  for (let k = 0; k < SUBSCRIBERS; k++) {
    const nc = await connect({ servers: url, name: `w3-subscriber-${k}` });
    nc.subscribe(SUBJECT, {
      callback: (err, m) => {
        if (err) return;
        seen[k].mark(m.data);
        count++;
        last = process.hrtime.bigint();
      },
    });
    await nc.flush();
    subs.push(nc);
  }
  const ncPub = await connect({ servers: url, name: "w3-publisher" });

  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    ncPub.publish(SUBJECT, data[i]);
    published++;
    if (published % BATCH === 0) await ncPub.flush();
  }
  await ncPub.flush();

  while (count < TOTAL) {
    const idle = Number(process.hrtime.bigint() - last) / 1e9;
    if (idle > STALL_S) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = Number(last - t0) / 1e9;
  const serverVersion = ncPub.info?.version;
  await ncPub.drain();
  for (const nc of subs) await nc.drain();
  cancel();
  const unique = delivered();
  const { progress, ...rest } = base;
  emit({
    ...rest, server_version: serverVersion, deliveries: unique, lost: TOTAL - unique,
    duplicates: seen.reduce((sum, s) => sum + s.dups, 0),
    seconds: round(seconds, 3), deliveries_per_s: Math.round(unique / seconds),
  });
}

main().catch(failure(cancel, base));
