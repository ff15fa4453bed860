#!/usr/bin/env bash
# The Debian tools the tests (and the local emulator) run: poppler (pdfsig, pdftoppm, pdftotext),
# qpdf, NSS's certutil, OpenSSL (timestamp tokens), zbar (reading QR codes back), LibreOffice
# headless (own files: doc/docx/xlsx → PDF) and Chromium (the console's browser tests).
# Installed when missing (root on the dev machines and CI); skipped when present; otherwise the
# exact apt-get line to run is printed.
set -euo pipefail
missing=()
for pair in pdfsig:poppler-utils pdftoppm:poppler-utils pdftotext:poppler-utils qpdf:qpdf certutil:libnss3-tools \
  openssl:openssl zbarimg:zbar-tools soffice:libreoffice-writer-nogui chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
# Calc has no command of its own: look for its module.
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
# LibreOffice draws Chinese text with a system CJK font.
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; } || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing the Debian tools the tests use (once): $pkgs" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
else
  echo "The tests need these Debian packages: $pkgs (sudo apt-get install -y --no-install-recommends $pkgs)" >&2
  exit 1
fi
