#!/usr/bin/env bash
# Installs what the conformance suite uses besides Node.js, from the Debian or
# Ubuntu archive: the two peer libraries with their command-line tools (for
# --iut nng, --iut nanomsg, cat mode with nngcat), a C compiler and pkg-config
# (the suite compiles its nng and nanomsg adapters on first use) and openssl
# (the TLS cases make their certificates with it). Used by the GitHub Action
# (action.yml, input install-peers); conformance/Dockerfile installs the same list.
set -euo pipefail

PACKAGES=(libnng-dev nng-utils libnanomsg-dev nanomsg-utils openssl gcc libc6-dev pkg-config)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi

echo "apt-get install ${PACKAGES[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" </dev/null
