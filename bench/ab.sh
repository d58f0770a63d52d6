#!/usr/bin/env bash
# Interleaved A/B of workloads between two commits of this repository, on one machine, in one session.
#
#   bench/ab.sh A_COMMIT B_COMMIT ROUNDS OUT.jsonl WORKLOAD...
#   bench/ab.sh ee8e928 streams 4 bench/Workloads/results-ab.jsonl 'w2' 'w3 --mode stream' 'w4 --mode stream'
#
# Each commit is exported (git archive) into a temporary directory and its bench built there in Release, so the two
# sides differ by their source alone. Then, ROUNDS times, every workload runs on both sides one right after the other
# (so a change in the machine's load hits both alike), A first in odd rounds and B first in even ones, because the
# order moves the ratio (W3 stream, the same two builds: B/A 0.91 over 28 pairs run A first, 0.99 over 12 run B
# first); give an even ROUNDS. Each result line is appended to OUT.jsonl as
# {"side":"A","commit":"…","round":1,"order":"AB","workload":"w2","at":"…","load":"…","result":{…the workload's JSON line…}}.
# Extra arguments of a workload go inside its quotes ('w2 --messages 100000 --warmup 100000' for a brief check).
set -euo pipefail

if [ "$#" -lt 5 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
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
  order=$([ $((round % 2)) -eq 1 ] && echo "A B" || echo "B A")
  for workload in "$@"; do
    for side in $order; do
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
        printf '{"side":"%s","commit":"%s","round":%s,"order":"%s","workload":"%s","at":"%s","load":"%s","result":%s}\n' \
          "$side" "$commit" "$round" "${order// /}" "$workload" "$at" "$load" "$line" | tee -a "$out"
      done || true
    done
  done
done
