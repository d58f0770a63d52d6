"""Check spec/vectors/*.json against the independent codec in tamtam_wire.py.

For every vector:
  * valid (``frame``): the hex decodes to exactly ``frame`` (and is exactly one
    frame), and encoding ``frame`` gives exactly the hex bytes;
  * invalid (``error``): decoding reports exactly ``error``.
It also fails when a frame type of section 5 has no valid vector.

Prints one line per failure and ends with ``N passed, M failed``.
Exit code 0 only when nothing failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import tamtam_wire as tw  # noqa: E402

VECTORS_DIR = HERE / ".." / ".." / "spec" / "vectors"


def same(a, b) -> bool:
    """Strict JSON equality: true/false are not 1/0, key sets must match."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b


def check_vector(v: dict) -> str | None:
    """Return None when the vector passes, else why it fails."""
    if not isinstance(v.get("name"), str) or not isinstance(v.get("hex"), str):
        return "vector needs a string 'name' and 'hex'"
    if ("frame" in v) == ("error" in v):
        return "vector needs exactly one of 'frame' and 'error'"
    try:
        data = bytes.fromhex("".join(v["hex"].split()))
    except ValueError as e:
        return f"bad hex: {e}"
    if v["hex"] != v["hex"].lower():
        return "hex must be lowercase"
    max_body = v.get("max_body", tw.DEFAULT_MAX_BODY)

    if "error" in v:
        try:
            frame, _ = tw.decode_frame(data, max_body)
        except tw.WireError as e:
            if e.code != v["error"]:
                return f"expected error {v['error']}, decoder reported {e.code} ({e.detail})"
            return None
        return f"expected error {v['error']}, decoded {json.dumps(frame, ensure_ascii=False)}"

    expected = v["frame"]
    problems = []
    try:
        frame, used = tw.decode_frame(data, max_body)
        if used != len(data):
            problems.append(f"hex holds {len(data) - used} bytes after the frame")
        if not same(frame, expected):
            problems.append("decode mismatch: got " + json.dumps(frame, ensure_ascii=False))
    except tw.WireError as e:
        problems.append(f"decode failed: {e}")
    try:
        encoded = tw.encode_frame(expected)
        if encoded != data:
            problems.append(f"encode mismatch: got {encoded.hex()}")
    except (tw.WireError, KeyError, ValueError, TypeError) as e:
        problems.append(f"encode failed: {e!r}")
    return "; ".join(problems) or None


def main() -> int:
    passed = failed = 0
    files = sorted(VECTORS_DIR.glob("*.json"))
    covered: set[str] = set()
    names: dict[str, str] = {}
    if not files:
        print(f"no vector files in {VECTORS_DIR.resolve()}")
        failed += 1
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            vectors = doc["vectors"]
            if not isinstance(vectors, list):
                raise ValueError("'vectors' is not an array")
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"{path.name}: cannot load: {e}")
            failed += 1
            continue
        for i, v in enumerate(vectors):
            label = f"{path.name}[{i}] {v.get('name') if isinstance(v, dict) else '?'}"
            if not isinstance(v, dict):
                print(f"{label}: not an object")
                failed += 1
                continue
            name = v.get("name")
            if name in names:
                print(f"{label}: duplicate name (also in {names[name]})")
                failed += 1
                continue
            names[name] = path.name
            problem = check_vector(v)
            if problem is None:
                passed += 1
                if "frame" in v:
                    covered.add(v["frame"]["type"])
            else:
                print(f"{label}: {problem}")
                failed += 1
    for type_name in tw.TYPES.values():
        if type_name not in covered:
            print(f"coverage: frame type {type_name} has no passing valid vector")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
