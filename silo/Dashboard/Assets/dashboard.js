// The TamTam dashboard: reads the silo's snapshot stream (server-sent events over fetch, so that a token can go in
// the Authorization header) and renders it. No framework, no build step: silo/README.md, "Dashboard".
"use strict";

const TOKEN_KEY = "tamtam.dashboard.token";
const EVENTS = "/dashboard/api/events";
const RETRY_MS = 2000;

const $ = (id) => document.getElementById(id);

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = "status " + (kind || "");
}

function showLogin(reason) {
  $("login-reason").textContent = reason;
  $("login").hidden = false;
  $("board").hidden = true;
  setStatus("token needed", "down");
}

async function watch() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: "text/event-stream" };
  if (token) headers.Authorization = "Bearer " + token;
  let response;
  try {
    response = await fetch(EVENTS, { headers, cache: "no-store" });
  } catch (e) {
    return retry("unreachable");
  }
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    sessionStorage.removeItem(TOKEN_KEY);
    return showLogin(body.error || "This interchange requires an access token.");
  }
  if (!response.ok || !response.body) return retry("HTTP " + response.status);

  $("login").hidden = true;
  $("board").hidden = false;
  setStatus("live", "live");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (data) render(JSON.parse(data));
      }
    }
  } catch (e) {
    // The stream broke: try again below.
  }
  retry("disconnected");
}

function retry(why) {
  setStatus(why + ", retrying…", "down");
  setTimeout(watch, RETRY_MS);
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fill(tableId, rows, empty, columns) {
  const body = $(tableId).tBodies[0];
  const trs = rows.map((r) => {
    const tr = document.createElement("tr");
    for (const c of r.cells) tr.appendChild(c instanceof Node ? c : cell(String(c)));
    if (r.key) tr.dataset.key = r.key;
    return tr;
  });
  if (trs.length === 0) {
    const tr = document.createElement("tr");
    const td = cell(empty, "empty");
    td.colSpan = columns;
    tr.appendChild(td);
    trs.push(tr);
  }
  body.replaceChildren(...trs);
}

function number(n) {
  return Number(n).toLocaleString("en-US", { maximumFractionDigits: 1 });
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return number(n) + " " + units[i];
}

function bar(done, total) {
  const td = document.createElement("td");
  const fraction = total > 0 ? Math.min(done / total, 1) : 0;
  const outer = document.createElement("span");
  outer.className = "bar";
  const inner = document.createElement("span");
  inner.style.width = (fraction * 100).toFixed(1) + "%";
  outer.appendChild(inner);
  td.append(outer, " " + Math.round(fraction * 100) + "%");
  return td;
}

function spark(id, values) {
  const svg = $(id);
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => (60 - values.length + i + 1) + "," + (20 - (v / max) * 19).toFixed(2)).join(" ");
  let line = svg.firstElementChild;
  if (!line) {
    line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    svg.appendChild(line);
  }
  line.setAttribute("points", points);
}

function render(s) {
  const rates = [
    ["messages-in", "messages_in"], ["messages-out", "messages_out"],
    ["packets-in", "packets_in"], ["packets-out", "packets_out"],
  ];
  for (const [id, field] of rates) {
    $("rate-" + id).textContent = number(s.rates[field]);
    spark("chart-" + id, s.history.map((h) => h[field]));
  }
  $("gateway-sessions").textContent = number(s.gateway.sessions);
  $("gateway-frames").textContent = number(s.gateway.frames_in) + " / " + number(s.gateway.frames_out);

  fill("links", s.links.map((l) => ({ key: l.name, cells: [l.name, number(l.nodes), number(l.sequence)] })), "no links yet", 3);
  $("links-truncated").hidden = !s.links_truncated;

  const nodes = [];
  const ports = [];
  for (const l of s.links) {
    for (const n of l.node_list) {
      nodes.push({
        key: l.name + "/" + n.name,
        cells: [l.name, n.name, cell(n.online ? "online" : "offline", n.online ? "online" : "offline"),
          n.round_trip_ms == null ? "–" : number(n.round_trip_ms) + " ms", number(n.inbox)],
      });
    }
    for (const p of l.ports) {
      ports.push({ key: l.name + "/" + p.port, cells: [l.name, p.port + (p.subtree ? "/**" : ""), p.mode, p.nodes.join(", ")] });
    }
  }
  fill("nodes", nodes, "no nodes", 5);
  fill("ports", ports, "no bindings", 4);

  fill("transfers", s.transfers.map((t) => {
    const confirmed = Object.values(t.parts_confirmed);
    const done = t.phase === "accepted" && confirmed.length > 0 ? Math.min(...confirmed) : t.parts_staged;
    return { key: t.id, cells: [t.id, t.phase, bytes(t.total_size), bar(done, t.part_count)] };
  }), "none", 4);

  const st = s.streams;
  const facts = [
    ["subscribers", st.subscribers], ["backlog (packets)", st.backlog], ["largest backlog", st.largest_backlog],
    ["dropped: slow consumer", st.dropped_slow_consumer], ["dropped: too large", st.dropped_too_large],
    ["dropped: TTL", st.dropped_ttl], ["dropped: relay lost", st.dropped_relay_lost],
    ["refused", st.refused], ["publisher hold-backs", st.hold_backs],
  ];
  $("streams").replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = number(v);
    dd.id = "streams-" + k.replace(/[^a-z]+/g, "-").replace(/-$/, "");
    return [dt, dd];
  }));

  fill("silos", s.silos.map((x) => ({
    key: x.address,
    cells: [x.address + (x.self ? " (this)" : ""), x.name, x.status, new Date(x.started_at).toLocaleString()],
  })), "none", 4);

  const ix = s.interchange;
  fill("stations", ix.stations.map((x) => ({
    key: x.name,
    cells: [number(x.ring_order), x.name, x.links.length ? x.links.join(", ") : "–", new Date(x.connected_since).toLocaleString()],
  })), "no station registered", 4);
  fill("routes", ix.routes.map((r) => ({
    key: r.link,
    cells: [r.link, r.station, r.learned, new Date(r.at).toLocaleString(), new Date(r.last_used).toLocaleString()],
  })), "no route known", 5);
  $("interchange-unavailable").hidden = ix.available;

  $("updated").textContent = "silo " + s.silo + " · updated " + new Date(s.at).toLocaleTimeString();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    $("login").hidden = true;
    setStatus("connecting…");
    watch();
  });
  watch();
});
