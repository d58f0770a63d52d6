#!/usr/bin/env bash
# Makes a runtime base image without any image registry: a Debian minbase made by debootstrap from Debian's own
# packages, with what a self-contained .NET app needs beside libc (OpenSSL for TLS, CA certificates for Azure
# endpoints, time zones), imported into podman under the given name (default localhost/tamtam-base:bookworm).
# Stands in for the official runtime-deps image where no registry is reachable (the container tests use it).
# Needs root, debootstrap and podman; takes about a minute. Does nothing when the image already exists.
set -euo pipefail

image="${1:-localhost/tamtam-base:bookworm}"
suite="${TAMTAM_BASE_SUITE:-bookworm}"

if podman image exists "$image"; then
  exit 0
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

debootstrap --variant=minbase "$suite" "$root/rootfs" >"$root/debootstrap.log" 2>&1 || {
  tail -20 "$root/debootstrap.log" >&2
  exit 1
}
chroot "$root/rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  ca-certificates libssl3 tzdata >/dev/null
chroot "$root/rootfs" apt-get clean
rm -rf "$root/rootfs/var/lib/apt/lists/"*

tar -C "$root/rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "made $image"
