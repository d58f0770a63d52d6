"""Independent decoder and encoder for the TamTam wire protocol, version 1.

Written from docs/protocol.md alone (Python 3.11, standard library only), to
prove spec/vectors/*.json and, through them, any other implementation.

Frames are represented exactly as section 9 of the spec describes:

    {"type": "SEND", "flags": 0, "correlation": 7, "fields": {...}}

* ``decode_frame(data, max_body)`` decodes the first frame of ``data`` and
  returns ``(frame, consumed)``; it raises ``WireError`` carrying the error code
  of section 8 for the first rule of section 4 that the bytes break.
* ``encode_frame(frame)`` returns the bytes of a frame; by default it also
  checks that the result decodes back to the same frame (so it refuses to
  produce an invalid frame).
"""

from __future__ import annotations

import struct
import uuid as _uuid

__all__ = [
    "WireError", "decode_frame", "encode_frame", "crc32c",
    "TYPES", "TYPE_CODES", "FLAGS", "HEADER_SIZE", "DEFAULT_MAX_BODY",
]

# --- constants (section 2.2) ------------------------------------------------

HEADER_SIZE = 16
MAGIC = b"\x54\x54"
VERSION = 1
HANDSHAKE_MAX_BODY = 65_536
DEFAULT_MAX_BODY = 1_048_576
CEILING_MAX_BODY = 16_777_216

# --- error codes (section 8) used by the codec ------------------------------

BAD_MAGIC = 100
UNSUPPORTED_VERSION = 101
BAD_HEADER = 102
FRAME_TOO_LARGE = 103
UNKNOWN_TYPE = 110
BAD_LENGTH = 111
INVALID_UTF8 = 112
INVALID_NAME = 113
OUT_OF_RANGE = 114
BAD_FLAGS = 115
TRUNCATED = 117


class WireError(Exception):
    """A decoding (or encoding) failure with its section-8 error code."""

    def __init__(self, code: int, detail: str):
        super().__init__(f"error {code}: {detail}")
        self.code = code
        self.detail = detail


# --- CRC-32C (section 5.15): reflected polynomial 0x82F63B78 ----------------

def _make_crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _make_crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), init 0xFFFFFFFF, final XOR 0xFFFFFFFF."""
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# --- frame types and flags (section 5) ----------------------------------------

TYPES = {
    0x01: "HELLO", 0x02: "WELCOME", 0x03: "PING", 0x04: "PONG", 0x05: "ERROR",
    0x06: "OK", 0x07: "HEALTH", 0x08: "HEALTH_REPORT",
    0x10: "JOIN", 0x11: "LEAVE", 0x12: "BIND", 0x13: "UNBIND",
    0x20: "SEND", 0x21: "ACCEPTED", 0x22: "DELIVER", 0x23: "ACK", 0x24: "NACK",
    0x25: "STATUS", 0x26: "STATUS_ACK", 0x27: "CANCEL",
    0x30: "PART", 0x31: "PART_ACK",
    0x38: "STREAM", 0x39: "STREAM_ACK",
    0x40: "NODES", 0x41: "NODES_REPORT", 0x42: "LINKS", 0x43: "LINKS_REPORT",
    0x44: "MESSAGE", 0x45: "MESSAGE_REPORT", 0x46: "AUDIT", 0x47: "AUDIT_REPORT",
    0x50: "STATION_REGISTER", 0x51: "STATION_OFFER", 0x52: "STATION_CLAIM",
    0x53: "STATION_PASS", 0x54: "ROUTES", 0x55: "ROUTES_REPORT",
}
TYPE_CODES = {name: code for code, name in TYPES.items()}

# Flag bits
RESUMED = 0x0001      # WELCOME
FATAL = 0x0001        # ERROR
SUBTREE_BIND = 0x0001  # BIND, UNBIND
SUBTREE = 0x0002      # SEND
PARTED = 0x0004       # SEND, DELIVER
STATION = 0x0008      # SEND
REPLY = 0x0010        # SEND, DELIVER
TRACED = 0x0020       # SEND, DELIVER
DUPLICATE = 0x0001    # ACCEPTED
REDELIVERY = 0x0001   # DELIVER
REQUEUE = 0x0001      # NACK
WANT_ACK = 0x0001     # STREAM
SUBTREE_STREAM = 0x0002  # STREAM
TRUNCATED_REPORT = 0x0001  # NODES_REPORT, LINKS_REPORT, MESSAGE_REPORT

# The flag bits each type defines; every other bit MUST be zero (error 115).
FLAGS = {name: 0 for name in TYPES.values()}
FLAGS.update({
    "WELCOME": RESUMED,
    "ERROR": FATAL,
    "BIND": SUBTREE_BIND,
    "UNBIND": SUBTREE_BIND,
    "SEND": SUBTREE | PARTED | STATION | REPLY | TRACED,   # bit 0 reserved, MUST be zero
    "ACCEPTED": DUPLICATE,
    "DELIVER": REDELIVERY | PARTED | REPLY | TRACED,
    "NACK": REQUEUE,
    "STREAM": WANT_ACK | SUBTREE_STREAM,
    "NODES_REPORT": TRUNCATED_REPORT,
    "LINKS_REPORT": TRUNCATED_REPORT,
    "ROUTES_REPORT": TRUNCATED_REPORT,
    "MESSAGE_REPORT": TRUNCATED_REPORT,
})


# --- range checks (114) ---------------------------------------------------------
# Each check receives the field's value and the fields decoded so far and
# returns an explanation when the value is out of range, else None.

def _between(lo, hi):
    return lambda v, f: None if lo <= v <= hi else f"{v} not in {lo}..{hi}"


def _at_least(lo):
    return lambda v, f: None if v >= lo else f"{v} < {lo}"


def _hello_max_version(v, f):
    return None if v >= f["min_version"] else f"max_version {v} < min_version {f['min_version']}"


def _hello_max_body(v, f):
    return None if v == 0 or 1024 <= v <= CEILING_MAX_BODY else f"max_body {v} not 0 or 1024..16777216"


def _part_count(v, f):
    if v < 1:
        return "part_count < 1"
    expected = -(-f["total_size"] // f["part_size"])
    return None if v == expected else f"part_count {v} != ceil(total_size/part_size) = {expected}"


_HEX = set("0123456789abcdef")


def _traceparent(v, f):
    # W3C Trace Context version 00: "00-" 32 hex "-" 16 hex "-" 2 hex, lowercase, ids not all zero (5.10).
    parts = v.split("-")
    if len(v) != 55 or len(parts) != 4 or parts[0] != "00" or [len(p) for p in parts] != [2, 32, 16, 2]:
        return f"traceparent {v!r} is not a version-00 W3C traceparent"
    if any(c not in _HEX for c in "".join(parts)):
        return f"traceparent {v!r} is not lowercase hex"
    if set(parts[1]) == {"0"} or set(parts[2]) == {"0"}:
        return f"traceparent {v!r} has an all-zero id"
    return None


def _confirmed(v, f):
    return None if v <= f["recipients"] else f"confirmed {v} > recipients {f['recipients']}"


def _part_index_count(v, f):
    # The rule "index < count" can only be checked once count is known.
    if v < 1:
        return "count < 1"
    return None if f["index"] < v else f"index {f['index']} >= count {v}"


# --- field layouts (section 5) ---------------------------------------------------
# A field is (name, kind, required_flag_mask, check). kind is a wire encoding
# of section 2, or ("list", element) for a u16 count followed by that many
# elements (element: a kind, or a list of sub-fields).

def F(name, kind, when=0, check=None):
    return (name, kind, when, check)


_PARTED_FIELDS = [
    F("total_size", "u64", PARTED, _at_least(1)),
    F("part_size", "u32", PARTED, _between(1, CEILING_MAX_BODY)),
    F("part_count", "u32", PARTED, _part_count),
    F("sha256", "sha256", PARTED),
]

def _reply_port(link_named: bool):
    # A reply (empty reply_port) carries no reply_link; a DELIVER of a request always names it.
    def check(v, f):
        if v == "" and f["reply_link"] != "":
            return "reply_link: a reply (empty reply_port) carries no reply_link"
        if link_named and v != "" and f["reply_link"] == "":
            return "reply_link: a DELIVER of a request names the link its reply goes to"
        return None
    return check


def _reply_fields(link_named: bool):
    return [
        F("correlation_id", "uuid", REPLY),
        F("reply_link", "link", REPLY),
        F("reply_port", "port?", REPLY, _reply_port(link_named)),
    ]


LAYOUTS = {
    "HELLO": [
        F("min_version", "u16", check=_at_least(1)),
        F("max_version", "u16", check=_hello_max_version),
        F("max_body", "u32", check=_hello_max_body),
        F("heartbeat_ms", "u32"),
        F("client", "str8"),
        F("auth_token", "bytes"),
        F("resume_token", "bytes"),
    ],
    "WELCOME": [
        F("version", "u16"),
        F("max_body", "u32", check=_between(1024, CEILING_MAX_BODY)),
        F("max_inflight", "u32"),
        F("heartbeat_ms", "u32"),
        F("session_timeout_ms", "u32"),
        F("part_size", "u32"),
        F("session_id", "uuid"),
        F("resume_token", "bytes"),
        F("server", "str8"),
    ],
    "PING": [F("sent_at", "ts")],
    "PONG": [F("echo", "ts"), F("sent_at", "ts")],
    "ERROR": [F("code", "u16"), F("message", "text")],
    "OK": [],
    "HEALTH": [],
    "HEALTH_REPORT": [
        F("state", "u8", check=_between(0, 2)),
        F("figures", ("list", [F("key", "str8"), F("value", "i64")])),
    ],
    "JOIN": [F("link", "name"), F("node", "name")],
    "LEAVE": [],
    "BIND": [F("mode", "u8", check=_between(1, 3)), F("port", "port")],
    "UNBIND": [F("port", "port")],
    "SEND": [
        F("message_id", "uuid"),
        F("dest_link", "link"),
        F("dest_port", "port"),
        F("ttl_ms", "u32"),
        F("src_link", "name", STATION),
        F("src_node", "name", STATION),
        *_PARTED_FIELDS,
        *_reply_fields(link_named=False),
        F("traceparent", "str8", TRACED, _traceparent),
        F("payload", "payload"),
    ],
    "ACCEPTED": [
        F("message_id", "uuid"),
        F("sequence", "u64", check=_at_least(1)),
        F("accepted_at", "ts"),
    ],
    "DELIVER": [
        F("message_id", "uuid"),
        F("sequence", "u64", check=_at_least(1)),
        F("port_sequence", "u64"),
        F("src_link", "name"),
        F("src_node", "name"),
        F("dest_link", "name"),
        F("dest_port", "port"),
        F("attempt", "u16", check=_at_least(1)),
        F("deadline", "ts"),
        *_PARTED_FIELDS,
        *_reply_fields(link_named=True),
        F("traceparent", "str8", TRACED, _traceparent),
        F("payload", "payload"),
    ],
    "ACK": [F("message_id", "uuid"), F("sequence", "u64")],
    "NACK": [
        F("message_id", "uuid"),
        F("sequence", "u64"),
        F("reason", "u16"),
        F("detail", "text"),
    ],
    "STATUS": [
        F("message_id", "uuid"),
        F("state", "u8", check=_between(1, 9)),
        F("recipients", "u32"),
        F("confirmed", "u32", check=_confirmed),
        F("at", "ts"),
        F("detail", "text"),
    ],
    "STATUS_ACK": [F("message_id", "uuid")],
    "PART": [
        F("transfer_id", "uuid"),
        F("index", "u32"),
        F("count", "u32", check=_part_index_count),
        F("crc32c", "u32"),
        F("payload", "payload"),
    ],
    "PART_ACK": [F("transfer_id", "uuid"), F("index", "u32"), F("result", "u16")],
    "STREAM": [
        F("packet_id", "uuid"),
        F("link", "link"),
        F("port", "port"),
        F("ttl", "u8", check=_between(1, 255)),
        F("stream_sequence", "u64"),
        F("payload", "payload"),
    ],
    "STREAM_ACK": [F("packet_id", "uuid"), F("stream_sequence", "u64")],
    "NODES": [F("link", "link")],
    "NODES_REPORT": [
        F("nodes", ("list", [
            F("node", "name"), F("online", "bool"), F("rtt_us", "u32"), F("pending", "u32"),
        ])),
    ],
    "LINKS": [],
    "LINKS_REPORT": [
        F("links", ("list", [F("link", "name"), F("nodes", "u32"), F("sequence", "u64")])),
    ],
    "CANCEL": [F("link", "link"), F("message_id", "uuid")],
    "MESSAGE": [F("link", "link"), F("message_id", "uuid")],
    "MESSAGE_REPORT": [
        F("message_id", "uuid"),
        F("sequence", "u64", check=_at_least(1)),
        F("src_link", "name"),
        F("src_node", "name"),
        F("dest_link", "name"),
        F("dest_port", "port"),
        F("state", "u8", check=_between(0, 9)),
        F("accepted_at", "ts"),
        F("deadline", "ts"),
        F("final_at", "ts"),
        F("detail", "text"),
        F("recipients", ("list", [F("node", "name"), F("outcome", "u8", check=_between(0, 6)), F("attempts", "u16")])),
    ],
    "AUDIT": [F("link", "link"), F("cursor", "u64"), F("limit", "u16")],
    "AUDIT_REPORT": [
        F("next", "u64"),
        F("entries", ("list", [
            F("message_id", "uuid"),
            F("sequence", "u64", check=_at_least(1)),
            F("src_link", "name"),
            F("src_node", "name"),
            F("port", "port"),
            F("accepted_at", "ts"),
            F("state", "u8", check=_between(1, 9)),
            F("recipients", "u32"),
            F("confirmed", "u32", check=_confirmed),
            F("final_at", "ts"),
        ])),
    ],
    "STATION_REGISTER": [F("station", "name"), F("links", ("list", "name"))],
    "STATION_OFFER": [
        F("message_id", "uuid"),
        F("src_link", "name"),
        F("dest_link", "name"),
        F("dest_port", "port"),
        F("ttl", "u8"),
        F("size", "u64"),
    ],
    "STATION_CLAIM": [F("message_id", "uuid")],
    "STATION_PASS": [F("message_id", "uuid"), F("ttl", "u8")],
    "ROUTES": [],
    "ROUTES_REPORT": [
        F("routes", ("list", [F("link", "name"), F("station", "name"), F("learned", "u8", check=_between(1, 2)), F("at", "ts")])),
    ],
}

assert set(LAYOUTS) == set(TYPES.values())

_INTS = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i64": "<q", "ts": "<q"}


# --- names and ports (section 2.1) ---------------------------------------------

def name_problem(s: str) -> str | None:
    """Why ``s`` is not a valid name, or None."""
    n = len(s.encode("utf-8"))
    if not 1 <= n <= 64:
        return f"name of {n} bytes (must be 1..64)"
    for ch in s:
        if ord(ch) < 0x21 or ch in "\x7f:/":
            return f"name contains U+{ord(ch):04X}"
    return None


def port_problem(s: str) -> str | None:
    """Why ``s`` is not a valid port name, or None."""
    n = len(s.encode("utf-8"))
    if not 1 <= n <= 255:
        return f"port of {n} bytes (must be 1..255)"
    for segment in s.split("/"):
        problem = name_problem(segment)
        if problem is not None:
            return f"port segment {segment!r}: {problem}"
    return None


# --- decoding ----------------------------------------------------------------------

class _Reader:
    def __init__(self, body: bytes):
        self.body = body
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self.body) - self.pos

    def take(self, n: int, what: str) -> bytes:
        if n > self.remaining:
            raise WireError(BAD_LENGTH, f"{what}: needs {n} bytes, {self.remaining} left")
        b = self.body[self.pos:self.pos + n]
        self.pos += n
        return b

    def int(self, kind: str, what: str) -> int:
        fmt = _INTS[kind]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))[0]

    def utf8(self, n: int, what: str) -> str:
        raw = self.take(n, what)
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise WireError(INVALID_UTF8, f"{what}: {e.reason}") from None


_MIN_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "i64": 8, "ts": 8, "bool": 1, "uuid": 16,
              "sha256": 32, "str8": 1, "name": 1, "port": 1, "port?": 1, "link?": 1, "text": 2, "bytes": 2}


def _min_size(element) -> int:
    # The fewest bytes one list entry can take: section 4, rule 7.
    if isinstance(element, list):
        return sum(_min_size(f[1]) for f in element)
    return _MIN_SIZES[element]


def _read_value(r: _Reader, kind, what: str):
    if isinstance(kind, tuple):          # ("list", element)
        element = kind[1]
        count = r.int("u16", f"{what} count")
        if count * _min_size(element) > r.remaining:
            raise WireError(BAD_LENGTH, f"{what} count {count} cannot fit in {r.remaining} bytes")
        items = []
        for i in range(count):
            label = f"{what}[{i}]"
            if isinstance(element, list):
                items.append(_read_fields(r, element, 0, label))
            else:
                items.append(_read_value(r, element, label))
        return items
    if kind in _INTS:
        return r.int(kind, what)
    if kind == "bool":
        v = r.int("u8", what)
        if v not in (0, 1):
            raise WireError(OUT_OF_RANGE, f"{what}: bool byte {v}")
        return v == 1
    if kind == "uuid":
        return str(_uuid.UUID(bytes=r.take(16, what)))
    if kind == "sha256":
        return r.take(32, what).hex()
    if kind in ("str8", "name", "link", "port", "port?"):
        n = r.int("u8", f"{what} length")
        s = r.utf8(n, what)
        problem = None
        if kind == "name" or (kind == "link" and s != ""):
            problem = name_problem(s)
        elif kind == "port" or (kind == "port?" and s != ""):
            problem = port_problem(s)
        if problem is not None:
            raise WireError(INVALID_NAME, f"{what}: {problem}")
        return s
    if kind == "text":
        n = r.int("u16", f"{what} length")
        return r.utf8(n, what)
    if kind == "bytes":
        n = r.int("u16", f"{what} length")
        return r.take(n, what).hex()
    if kind == "payload":
        return r.take(r.remaining, what).hex()
    raise AssertionError(kind)


def _read_fields(r: _Reader, layout, flags: int, prefix: str = "") -> dict:
    fields: dict = {}
    for name, kind, when, check in layout:
        if when and not flags & when:
            continue
        what = f"{prefix}.{name}" if prefix else name
        value = _read_value(r, kind, what)
        if check is not None:
            problem = check(value, fields)
            if problem is not None:
                raise WireError(OUT_OF_RANGE, f"{what}: {problem}")
        fields[name] = value
    return fields


def decode_frame(data: bytes, max_body: int = DEFAULT_MAX_BODY) -> tuple[dict, int]:
    """Decode the first frame of ``data``; return (frame, bytes consumed).

    ``data`` is everything the transport delivered before it ended, so a
    frame that does not fit in it is truncated (117).
    """
    data = bytes(data)
    # 1. wait for the 16 header bytes
    if len(data) < HEADER_SIZE:
        raise WireError(TRUNCATED, f"header: {len(data)} of {HEADER_SIZE} bytes")
    # 2. fatal header checks, in order
    if data[0:2] != MAGIC:
        raise WireError(BAD_MAGIC, f"magic {data[0:2].hex()}")
    version = data[2]
    if version != VERSION:
        raise WireError(UNSUPPORTED_VERSION, f"version {version}")
    type_code = data[3]
    flags, reserved, length, correlation = struct.unpack_from("<HHII", data, 4)
    if reserved != 0:
        raise WireError(BAD_HEADER, f"reserved 0x{reserved:04x}")
    if length > max_body:
        raise WireError(FRAME_TOO_LARGE, f"body length {length} > maximum {max_body}")
    # 3. wait for the whole body (and no more)
    end = HEADER_SIZE + length
    if len(data) < end:
        raise WireError(TRUNCATED, f"body: {len(data) - HEADER_SIZE} of {length} bytes")
    body = data[HEADER_SIZE:end]
    # 4. type and flags
    type_name = TYPES.get(type_code)
    if type_name is None:
        raise WireError(UNKNOWN_TYPE, f"type 0x{type_code:02x}")
    undefined = flags & ~FLAGS[type_name] & 0xFFFF
    if undefined:
        raise WireError(BAD_FLAGS, f"{type_name} flags 0x{flags:04x} (undefined bits 0x{undefined:04x})")
    # 5. fields, in order
    layout = LAYOUTS[type_name]
    r = _Reader(body)
    fields = _read_fields(r, layout, flags)
    if type_name in ("SEND", "DELIVER") and flags & PARTED and fields["payload"] != "":
        raise WireError(BAD_LENGTH, f"{type_name} with PARTED carries {len(fields['payload']) // 2} payload bytes")
    if type_name == "PART" and fields["payload"] == "":
        raise WireError(BAD_LENGTH, "PART with an empty payload")
    has_payload = bool(layout) and layout[-1][1] == "payload"
    if not has_payload and r.remaining:
        raise WireError(BAD_LENGTH, f"{r.remaining} bytes left over after the last field of {type_name}")
    frame = {"type": type_name, "flags": flags, "correlation": correlation, "fields": fields}
    return frame, end


def decode_all(data: bytes, max_body: int = DEFAULT_MAX_BODY) -> list[dict]:
    """Decode a whole byte stream of frames (raises on the first bad one)."""
    frames, pos = [], 0
    data = bytes(data)
    while pos < len(data):
        frame, used = decode_frame(data[pos:], max_body)
        frames.append(frame)
        pos += used
    return frames


# --- encoding ----------------------------------------------------------------------

def _int_bytes(kind: str, v, what: str) -> bytes:
    if isinstance(v, bool) or not isinstance(v, int):
        raise WireError(OUT_OF_RANGE, f"{what}: {v!r} is not an integer")
    try:
        return struct.pack(_INTS[kind], v)
    except struct.error:
        raise WireError(OUT_OF_RANGE, f"{what}: {v} does not fit {kind}") from None


def _hex_bytes(v, what: str) -> bytes:
    if not isinstance(v, str) or v != v.lower():
        raise WireError(OUT_OF_RANGE, f"{what}: expected a lowercase hex string")
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise WireError(OUT_OF_RANGE, f"{what}: not hex") from None


def _write_value(out: bytearray, kind, v, what: str) -> None:
    if isinstance(kind, tuple):
        element = kind[1]
        if not isinstance(v, list):
            raise WireError(OUT_OF_RANGE, f"{what}: expected an array")
        out += _int_bytes("u16", len(v), f"{what} count")
        for i, item in enumerate(v):
            label = f"{what}[{i}]"
            if isinstance(element, list):
                _write_fields(out, element, 0, item, label)
            else:
                _write_value(out, element, item, label)
        return
    if kind in _INTS:
        out += _int_bytes(kind, v, what)
    elif kind == "bool":
        if not isinstance(v, bool):
            raise WireError(OUT_OF_RANGE, f"{what}: expected true/false")
        out.append(1 if v else 0)
    elif kind == "uuid":
        u = _uuid.UUID(v)
        if str(u) != v:
            raise WireError(OUT_OF_RANGE, f"{what}: uuid must be lowercase 8-4-4-4-12")
        out += u.bytes
    elif kind == "sha256":
        b = _hex_bytes(v, what)
        if len(b) != 32:
            raise WireError(BAD_LENGTH, f"{what}: sha256 of {len(b)} bytes")
        out += b
    elif kind in ("str8", "name", "link", "port", "port?"):
        if not isinstance(v, str):
            raise WireError(OUT_OF_RANGE, f"{what}: expected a string")
        b = v.encode("utf-8")
        out += _int_bytes("u8", len(b), f"{what} length")
        out += b
    elif kind == "text":
        if not isinstance(v, str):
            raise WireError(OUT_OF_RANGE, f"{what}: expected a string")
        b = v.encode("utf-8")
        out += _int_bytes("u16", len(b), f"{what} length")
        out += b
    elif kind == "bytes":
        b = _hex_bytes(v, what)
        out += _int_bytes("u16", len(b), f"{what} length")
        out += b
    elif kind == "payload":
        out += _hex_bytes(v, what)
    else:
        raise AssertionError(kind)


def _write_fields(out: bytearray, layout, flags: int, fields: dict, prefix: str = "") -> None:
    if not isinstance(fields, dict):
        raise WireError(OUT_OF_RANGE, f"{prefix or 'fields'}: expected an object")
    expected = [name for name, _, when, _ in layout if not when or flags & when]
    if set(fields) != set(expected):
        raise WireError(BAD_LENGTH, f"{prefix or 'fields'}: keys {sorted(fields)} != {sorted(expected)}")
    for name, kind, when, _ in layout:
        if when and not flags & when:
            continue
        _write_value(out, kind, fields[name], f"{prefix}.{name}" if prefix else name)


def encode_frame(frame: dict, check: bool = True) -> bytes:
    """Encode a frame given as in section 9 (type, flags, correlation, fields).

    With ``check`` the bytes are decoded again and must give back the same
    frame, so every rule of sections 2, 4 and 5 is enforced.
    """
    type_name = frame["type"]
    if type_name not in TYPE_CODES:
        raise WireError(UNKNOWN_TYPE, f"type {type_name!r}")
    flags = frame.get("flags", 0)
    correlation = frame.get("correlation", 0)
    body = bytearray()
    _write_fields(body, LAYOUTS[type_name], flags, frame.get("fields", {}))
    header = MAGIC + bytes([VERSION, TYPE_CODES[type_name]]) + \
        _int_bytes("u16", flags, "flags") + b"\x00\x00" + \
        _int_bytes("u32", len(body), "body length") + _int_bytes("u32", correlation, "correlation")
    data = header + bytes(body)
    if check:
        decoded, used = decode_frame(data, CEILING_MAX_BODY)
        normal = {"type": type_name, "flags": flags, "correlation": correlation,
                  "fields": frame.get("fields", {})}
        if used != len(data) or decoded != normal:
            raise WireError(OUT_OF_RANGE, "frame does not survive a decode round trip")
    return data


if __name__ == "__main__":
    # Self-test: the CRC-32C check value.
    assert crc32c(b"123456789") == 0xE3069283
    print("crc32c ok")
