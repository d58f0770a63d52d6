// W4 request/reply latency on Mosquitto, MQTT 3.1.1 QoS 0 (MQTT has no request/reply of
// its own: the usual request and response topics). A responder connection subscribes
// to the request topic and publishes each request back on the response topic; a
// requester connection subscribes to the response topic and sends N sequential
// requests of SIZE random bytes, one at a time, timing each round trip with
// process.hrtime. WARMUP untimed round trips go first. Prints p50/p99/p99.9 (nearest
// rank) in microseconds.
//
// env: MQTT_URL (mqtt://127.0.0.1:1883), N (20000), SIZE (64), WARMUP (1000),
//      MQTT_VERSION (4 = MQTT 3.1.1, or 5), TIMEOUT_S (120)
import mqtt from "mqtt";
import { emit, deadline, envInt, payloads, clientVersion, round, mqttOptions, failure, latencySummary } from "./lib.mjs";

const url = process.env.MQTT_URL || "mqtt://127.0.0.1:1883";
const N = envInt("N", 20_000);
const SIZE = envInt("SIZE", 64);
const WARMUP = envInt("WARMUP", 1000);
const MQTT_VERSION = envInt("MQTT_VERSION", 4);
const TIMEOUT_S = envInt("TIMEOUT_S", 120);
const REQUESTS = `w4bench/${process.pid}/request`;
const RESPONSES = `w4bench/${process.pid}/response`;

let done = 0;
const base = {
  peer: "mosquitto", workload: "W4", mode: `MQTT ${MQTT_VERSION === 5 ? "5" : "3.1.1"} QoS 0 request and response topics`,
  client: `mqtt.js ${clientVersion("mqtt")}`, messages: N, payload_bytes: SIZE, warmup: WARMUP,
  progress: () => ({ round_trips: done }),
};
const cancel = deadline(TIMEOUT_S, base);

const opts = (id) => mqttOptions(id, MQTT_VERSION);

async function main() {
  const data = payloads(N + WARMUP, SIZE);
  const responder = await mqtt.connectAsync(url, opts("w4-responder"));
  const requester = await mqtt.connectAsync(url, opts("w4-requester"));
  for (const c of [responder, requester]) c.on("error", fail);
  await responder.subscribeAsync(REQUESTS, { qos: 0 });
  responder.on("message", (_topic, payload) => responder.publish(RESPONSES, payload, { qos: 0 }));
  await requester.subscribeAsync(RESPONSES, { qos: 0 });

  let answer = null;
  requester.on("message", (_topic, payload) => { const a = answer; answer = null; a?.(payload); });
  const roundTrip = (payload) => new Promise((resolve) => {
    answer = resolve;
    requester.publish(REQUESTS, payload, { qos: 0 });
  });

  for (let i = 0; i < WARMUP; i++) await roundTrip(data[N + i]);

  const lat = new Float64Array(N);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const s = process.hrtime.bigint();
    const reply = await roundTrip(data[i]);
    const e = process.hrtime.bigint();
    if (reply.length !== SIZE || reply[0] !== data[i][0] || reply[SIZE - 1] !== data[i][SIZE - 1]) {
      throw new Error(`reply ${i} does not echo its request`);
    }
    lat[i] = Number(e - s) / 1e3;
    done++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await requester.endAsync();
  await responder.endAsync();
  cancel();

  const { progress, ...rest } = base;
  emit({
    ...rest, seconds: round(seconds, 3), round_trips_per_s: Math.round(N / seconds),
    latency_us: latencySummary(lat),
  });
}

const fail = failure(cancel, base);

main().catch(fail);
