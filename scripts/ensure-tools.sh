#!/usr/bin/env bash
# The PDF interop tests run poppler (pdfsig, pdftoppm, pdftotext), qpdf and NSS's certutil on our
# output. They come from Debian packages; install them when missing (root on the dev machines and
# CI), or say exactly what to install.
set -euo pipefail
missing=()
for pair in pdfsig:poppler-utils pdftoppm:poppler-utils pdftotext:poppler-utils qpdf:qpdf certutil:libnss3-tools; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing PDF tools for the tests: $pkgs" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
  echo "The tests need these Debian packages: $pkgs (sudo apt-get install -y $pkgs)" >&2
  exit 1
fi
