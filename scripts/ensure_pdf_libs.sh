#!/usr/bin/env bash
# PDFs (invoices, receipts, statements) are rendered by WeasyPrint, which uses the system's
# Pango (with HarfBuzz and fontconfig) and needs at least one font. Install Debian's when
# missing and we may; otherwise say what to install.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info fonts-dejavu-core)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "PDFs need Pango and a font (e.g. 'brew install pango' on macOS)." >&2
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing ${missing[*]} for PDF rendering"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "PDFs need: sudo apt-get install ${missing[*]}" >&2
fi
