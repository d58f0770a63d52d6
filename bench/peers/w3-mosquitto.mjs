// W3 fanout on Mosquitto: one publisher sends N messages of SIZE random bytes to one
// topic; SUBSCRIBERS subscribers (each its own connection) receive every one.
// QOS=0: nothing acknowledged (the publisher yields to the event loop every BATCH).
// QOS=1: each publish acknowledged by the broker (at most WINDOW awaiting their
// PUBACK) and each delivery PUBACKed by its subscriber (mqtt.js does it).
// The figure is total deliveries / (time from the first publish to the last delivery
// on any subscriber); with QoS 1 a missing delivery is an error, with QoS 0 it is
// reported as lost once nothing has arrived for STALL_S seconds.
// With persistence off, Mosquitto's PUBACK means "in memory", not "on disk".
//
// env: MQTT_URL (mqtt://127.0.0.1:1883), N (50000), SIZE (256), SUBSCRIBERS (10), QOS (0 or 1),
//      WINDOW (1000), BATCH (1000), MQTT_VERSION (4 = MQTT 3.1.1, or 5), TIMEOUT_S (120), STALL_S (5)
import mqtt from "mqtt";
import { emit, deadline, envInt, payloads, Seen, clientVersion, round, mqttOptions, failure } from "./lib.mjs";

const url = process.env.MQTT_URL || "mqtt://127.0.0.1:1883";
const N = envInt("N", 50_000);
const SIZE = envInt("SIZE", 256);
const SUBSCRIBERS = envInt("SUBSCRIBERS", 10);
const QOS = envInt("QOS", 0);
const WINDOW = envInt("WINDOW", 1000);
const BATCH = envInt("BATCH", 1000);
const MQTT_VERSION = envInt("MQTT_VERSION", 4);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STALL_S = envInt("STALL_S", 5);
if (QOS !== 0 && QOS !== 1) throw new Error("QOS must be 0 or 1");
if (WINDOW < 1 || WINDOW > 65000) throw new Error("WINDOW must be 1..65000 (MQTT packet ids)");
const TOPIC = `w3bench/${process.pid}/data`;
const TOTAL = N * SUBSCRIBERS;

const seen = Array.from({ length: SUBSCRIBERS }, () => new Seen(N));
const delivered = () => seen.reduce((sum, s) => sum + s.unique, 0);
let published = 0;
const base = {
  peer: "mosquitto", workload: "W3",
  mode: `MQTT ${MQTT_VERSION === 5 ? "5" : "3.1.1"} QoS ${QOS} publish + QoS ${QOS} subscriptions`,
  client: `mqtt.js ${clientVersion("mqtt")}`, messages: N, subscribers: SUBSCRIBERS, payload_bytes: SIZE,
  progress: () => ({ published, delivered: delivered() }),
};
const cancel = deadline(TIMEOUT_S, base);

const opts = (id) => mqttOptions(id, MQTT_VERSION);

async function main() {
  const data = payloads(N, SIZE);
  let last = process.hrtime.bigint();
  let count = 0;
  const subs = [];
  for (let k = 0; k < SUBSCRIBERS; k++) {
    const sub = await mqtt.connectAsync(url, opts(`w3-sub${k}`));
    sub.on("error", fail);
    const grants = await sub.subscribeAsync(TOPIC, { qos: QOS });
    if (grants[0]?.qos !== QOS) throw new Error(`subscription granted ${JSON.stringify(grants)}`);
    sub.on("message", (_topic, payload) => {
      seen[k].mark(payload);
      count++;
      last = process.hrtime.bigint();
    });
    subs.push(sub);
  }
  const pub = await mqtt.connectAsync(url, opts("w3-pub"));
  pub.on("error", fail);

  const t0 = process.hrtime.bigint();
  if (QOS === 0) {
    for (let i = 0; i < N; i++) {
      pub.publish(TOPIC, data[i], { qos: 0 });
      published++;
      if (published % BATCH === 0) await new Promise((r) => setImmediate(r));
    }
  } else {
    let inflight = 0, wake = null, pubError = null;
    for (let i = 0; i < N; i++) {
      while (inflight >= WINDOW) await new Promise((r) => { wake = r; });
      if (pubError) throw pubError;
      inflight++;
      published++;
      pub.publishAsync(TOPIC, data[i], { qos: 1 }).then(
        () => {},
        (e) => { pubError ??= e; },
      ).finally(() => { inflight--; if (wake) { const w = wake; wake = null; w(); } });
    }
    while (inflight > 0) await new Promise((r) => { wake = r; });
    if (pubError) throw pubError;
  }

  while (count < TOTAL) {
    const idle = Number(process.hrtime.bigint() - last) / 1e9;
    if (idle > STALL_S) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = Number(last - t0) / 1e9;
  const unique = delivered();
  if (QOS === 1 && unique < TOTAL) {
    throw new Error(`no delivery for ${STALL_S} s: ${TOTAL - unique} of ${TOTAL} QoS 1 deliveries missing`);
  }
  await pub.endAsync();
  for (const sub of subs) await sub.endAsync();
  cancel();
  const { progress, ...rest } = base;
  emit({
    ...rest, deliveries: unique, lost: TOTAL - unique, duplicates: seen.reduce((sum, s) => sum + s.dups, 0),
    seconds: round(seconds, 3), deliveries_per_s: Math.round(unique / seconds),
  });
}

const fail = failure(cancel, base);

main().catch(fail);
