#!/usr/bin/env bash
# Makes the DEMO PKI in examples/pki (or in the folder given as $1) with plain openssl:
# a CA, a server certificate (EKU serverAuth) and a client certificate CN=client1
# (EKU clientAuth), RSA 2048, SHA-256, valid 10 years, keys unencrypted.
#
# DEMO ONLY. The committed examples/pki was made with this script and its private keys are
# public: never use them, or keys made this way without protecting the CA key, in production.
# See examples/pki/README.md for how to make real keys.
set -euo pipefail

out="${1:-$(cd "$(dirname "$0")/.." && pwd)/examples/pki}"
days=3650
mkdir -p "$out"
cd "$out"

ext=$(mktemp)
trap 'rm -f "$ext" ./*.csr ./*.srl' EXIT

cat >"$ext" <<'EXT'
[server]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:server

[client]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT

openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days "$days" \
  -subj "/O=FleetVPN DEMO - NOT FOR PRODUCTION/CN=FleetVPN DEMO CA" \
  -addext "basicConstraints=critical,CA:true" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.crt 2>/dev/null

for leaf in server client1; do
  section=client
  [ "$leaf" = server ] && section=server
  openssl req -newkey rsa:2048 -sha256 -nodes \
    -subj "/O=FleetVPN DEMO - NOT FOR PRODUCTION/CN=$leaf" \
    -keyout "$leaf.key" -out "$leaf.csr" 2>/dev/null
  openssl x509 -req -in "$leaf.csr" -sha256 -days "$days" \
    -CA ca.crt -CAkey ca.key -CAcreateserial \
    -extfile "$ext" -extensions "$section" -out "$leaf.crt" 2>/dev/null
done

chmod 600 ./*.key
chmod 644 ./*.crt
echo "demo PKI written to $out"
