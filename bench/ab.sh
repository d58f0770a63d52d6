#!/usr/bin/env bash
# Interleaved A/B of workloads between two commits of this repository, on one machine, in one session.
#
#   bench/ab.sh A_COMMIT B_COMMIT ROUNDS OUT.jsonl WORKLOAD...
#   bench/ab.sh ee8e928 streams 3 bench/Workloads/results-ab.jsonl 'w2' 'w3 --mode stream' 'w4 --mode stream'
#
# Each commit is exported (git archive) into a temporary directory and its bench built there in Release, so the two
# sides differ by their source alone. Then, ROUNDS times, every workload runs on A and right after on B (so a change
# in the machine's load hits both sides alike); each result line is appended to OUT.jsonl as
# {"side":"A","commit":"…","round":1,"workload":"w2","at":"…","load":"…","result":{…the workload's JSON line…}}.
# Extra arguments of a workload go inside its quotes ('w2 --messages 100000 --warmup 100000' for a brief check).
set -euo pipefail

if [ "$#" -lt 5 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

a_commit=$(git rev-parse --short "$1")
b_commit=$(git rev-parse --short "$2")
rounds=$3
out=$4
shift 4

root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for side in A B; do
  commit=$([ "$side" = A ] && echo "$a_commit" || echo "$b_commit")
  mkdir -p "$work/$side"
  git -C "$root" archive "$commit" | tar -x -C "$work/$side"
  echo "ab: building $side ($commit)…" >&2
  dotnet build "$work/$side/bench" -c Release --nologo -v quiet >&2
done

for round in $(seq 1 "$rounds"); do
  for workload in "$@"; do
    for side in A B; do
      commit=$([ "$side" = A ] && echo "$a_commit" || echo "$b_commit")
      at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "")
      echo "ab: round $round, $side ($commit): $workload" >&2
      # shellcheck disable=SC2086 # the workload's words are its arguments
      # A failed run (a port taken by another process meanwhile, say) is reported and the rounds go on.
      if ! dotnet "$work/$side/bench/bin/Release/net10.0/TamTam.Bench.dll" $workload > "$work/run.out"; then
        echo "ab: round $round, $side ($commit): $workload failed; see its output above" >&2
      fi
      grep '^{' "$work/run.out" | while IFS= read -r line; do
        printf '{"side":"%s","commit":"%s","round":%s,"workload":"%s","at":"%s","load":"%s","result":%s}\n' \
          "$side" "$commit" "$round" "$workload" "$at" "$load" "$line" | tee -a "$out"
      done || true
    done
  done
done
