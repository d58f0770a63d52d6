// W2 fire-and-forget on Mosquitto with MQTT QoS 0: one publisher sends N messages of
// SIZE random bytes at QoS 0 (waiting for the socket to drain every BATCH); one
// subscriber (QoS 0 subscription, its own connection) counts them. Nothing is
// acknowledged. The figure is delivered / (time from the first publish to the last
// message received); what never arrived is reported as lost once nothing has arrived
// for STALL_S seconds.
//
// env: MQTT_URL (mqtt://127.0.0.1:1883), N (1000000), SIZE (256), BATCH (1000),
//      MQTT_VERSION (4 = MQTT 3.1.1, or 5), TIMEOUT_S (120), STALL_S (5)
import mqtt from "mqtt";
import { emit, deadline, envInt, payloads, clientVersion, round, mqttOptions, failure } from "./lib.mjs";

const url = process.env.MQTT_URL || "mqtt://127.0.0.1:1883";
const N = envInt("N", 1_000_000);
const SIZE = envInt("SIZE", 256);
const BATCH = envInt("BATCH", 1000);
const MQTT_VERSION = envInt("MQTT_VERSION", 4);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const STALL_S = envInt("STALL_S", 5);
const TOPIC = `w2bench/${process.pid}/data`;

let published = 0, delivered = 0;
const base = {
  peer: "mosquitto", workload: "W2", mode: `MQTT ${MQTT_VERSION === 5 ? "5" : "3.1.1"} QoS 0 publish + QoS 0 subscription`,
  client: `mqtt.js ${clientVersion("mqtt")}`, messages: N, payload_bytes: SIZE,
  progress: () => ({ published, delivered }),
};
const cancel = deadline(TIMEOUT_S, base);

const opts = (id) => mqttOptions(id, MQTT_VERSION);

async function main() {
  const data = payloads(Math.min(N, 65_536), SIZE);
  const sub = await mqtt.connectAsync(url, opts("w2-sub"));
  const pub = await mqtt.connectAsync(url, opts("w2-pub"));
  for (const c of [sub, pub]) c.on("error", (e) => { throw e; });
  await sub.subscribeAsync(TOPIC, { qos: 0 });
  let last = process.hrtime.bigint();
  sub.on("message", () => { delivered++; last = process.hrtime.bigint(); });

  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    pub.publish(TOPIC, data[i % data.length], { qos: 0 });
    published++;
    // QoS 0 has no acknowledgement: let the socket drain now and then so the client's buffer stays bounded.
    if (published % BATCH === 0) await new Promise((r) => setImmediate(r));
  }
  const publishSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  while (delivered < N) {
    const idle = Number(process.hrtime.bigint() - last) / 1e9;
    if (idle > STALL_S) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = Number(last - t0) / 1e9;
  await pub.endAsync();
  await sub.endAsync();
  cancel();
  const { progress, ...rest } = base;
  emit({
    ...rest, delivered, lost: N - delivered,
    seconds: round(seconds, 3), publish_seconds: round(publishSeconds, 3), msgs_per_s: Math.round(delivered / seconds),
  });
}

main().catch(failure(cancel, base));
