// W1 acked unicast on Mosquitto with MQTT QoS 1.
// One publisher sends N messages of SIZE random bytes at QoS 1, with at most WINDOW
// publishes awaiting their PUBACK at once (the broker's acknowledgement). One
// subscriber (QoS 1 subscription, its own connection) receives them; mqtt.js
// PUBACKs each delivery. The figure is N / (time from the first publish until the
// subscriber has the Nth message and a QoS 1 publish sent after its PUBACK was
// itself acknowledged, so the broker has read every PUBACK).
// With persistence off, Mosquitto's PUBACK means "in memory", not "on disk".
//
// env: MQTT_URL (mqtt://127.0.0.1:1883), N (200000), SIZE (256), WINDOW (1000),
//      MQTT_VERSION (4 = MQTT 3.1.1, or 5), TIMEOUT_S (120),
//      STALL_S (10: error out if deliveries stop this long after the last PUBACK)
import mqtt from "mqtt";
import { emit, deadline, envInt, payloads, Seen, clientVersion, round, mqttOptions, failure } from "./lib.mjs";

const url = process.env.MQTT_URL || "mqtt://127.0.0.1:1883";
const N = envInt("N", 200_000);
const SIZE = envInt("SIZE", 256);
const WINDOW = envInt("WINDOW", 1000);
const MQTT_VERSION = envInt("MQTT_VERSION", 4);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STALL_S = envInt("STALL_S", 10);
if (WINDOW < 1 || WINDOW > 65000) throw new Error("WINDOW must be 1..65000 (MQTT packet ids)");
const TOPIC = `w1bench/${process.pid}/data`;

let published = 0, pubAcked = 0;
const seen = new Seen(N);
const base = {
  peer: "mosquitto", workload: "W1", mode: `MQTT ${MQTT_VERSION === 5 ? "5" : "3.1.1"} QoS 1 publish + QoS 1 subscription`,
  client: `mqtt.js ${clientVersion("mqtt")}`, messages: N, payload_bytes: SIZE, window: WINDOW,
  progress: () => ({ published, pub_acked: pubAcked, delivered: seen.unique }),
};
const cancel = deadline(TIMEOUT_S, base);

const opts = (id) => mqttOptions(id, MQTT_VERSION);

async function main() {
  const data = payloads(N, SIZE);
  const sub = await mqtt.connectAsync(url, opts("w1-sub"));
  const pub = await mqtt.connectAsync(url, opts("w1-pub"));
  for (const c of [sub, pub]) c.on("error", (e) => fail(e));
  const grants = await sub.subscribeAsync(TOPIC, { qos: 1 });
  if (grants[0]?.qos !== 1) throw new Error(`subscription granted ${JSON.stringify(grants)}`);

  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  sub.on("message", (_topic, payload) => {
    seen.mark(payload);
    // the PUBACK for this message is written right after this handler returns
    if (seen.unique === N) setImmediate(resolveDone);
  });

  const t0 = process.hrtime.bigint();
  let inflight = 0, wake = null, pubError = null;
  for (let i = 0; i < N; i++) {
    while (inflight >= WINDOW) await new Promise((r) => { wake = r; });
    if (pubError) throw pubError;
    inflight++;
    published++;
    pub.publishAsync(TOPIC, data[i], { qos: 1 }).then(
      () => { pubAcked++; },
      (e) => { pubError ??= e; },
    ).finally(() => { inflight--; if (wake) { const w = wake; wake = null; w(); } });
  }
  while (inflight > 0) await new Promise((r) => { wake = r; });
  if (pubError) throw pubError;
  const tPub = process.hrtime.bigint();

  // Mosquitto drops QoS 1 messages beyond max_queued_messages (default 1000) for a
  // subscriber that lags: say so instead of waiting for the deadline
  let last = -1;
  const stall = setInterval(() => {
    if (seen.unique === last) fail(new Error(`no delivery for ${STALL_S} s after the last PUBACK: the broker dropped ${N - seen.unique} messages (max_queued_messages?)`));
    last = seen.unique;
  }, STALL_S * 1000);
  await done;
  clearInterval(stall);
  // the broker reads a connection's packets in order: once this QoS 1 publish is
  // acknowledged, it has read every PUBACK the subscriber sent before it
  await sub.publishAsync(`w1bench/${process.pid}/flush`, "", { qos: 1 });
  const t1 = process.hrtime.bigint();
  const seconds = Number(t1 - t0) / 1e9;

  await pub.endAsync();
  await sub.endAsync();
  cancel();
  const { progress, ...rest } = base;
  emit({
    ...rest, seconds: round(seconds, 3), msgs_per_s: Math.round(N / seconds),
    publish_phase_msgs_per_s: Math.round(N / (Number(tPub - t0) / 1e9)),
    delivered_unique: seen.unique, duplicates: seen.dups,
  });
}

const fail = failure(cancel, base);

main().catch(fail);
