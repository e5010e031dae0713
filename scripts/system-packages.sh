#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the portal needs, where they are missing.
#   scripts/system-packages.sh run    what serving the portal needs (fonts, Pango/HarfBuzz, gettext)
#   scripts/system-packages.sh test   the same plus Chromium for the browser tests and the
#                                     PostgreSQL server for the fault and load tests
# As root it installs with apt-get; otherwise it prints the command to run and stops.
set -euo pipefail

purpose=${1:-run}
packages=(
  python3-venv          # virtual environments on Debian/Ubuntu
  fonts-noto-cjk        # Chinese text in PDFs (Noto Sans/Serif CJK SC)
  fonts-hanazono        # rare CJK (extensions A and B: 㐀, 𠀀) that Noto CJK lacks
  fonts-noto-color-emoji  # emoji typed into findings (👍🏻, 🇨🇳, 👨‍👩‍👧)
  fonts-symbola         # other symbols, the last resort before an empty box
  libpango-1.0-0        # WeasyPrint's text layout
  libpangoft2-1.0-0
  libharfbuzz-subset0   # WeasyPrint subsets fonts with it; without it a report renders ~50x slower
  gettext               # makemessages/compilemessages for the Chinese catalogue
)
if [ "$purpose" = test ]; then
  # Chromium for the browser tests; PostgreSQL's server for the fault, load and production
  # tests; nginx, openssl and curl for the production test (docs/operations.md's set-up, run as written);
  # LibreOffice Calc (headless) re-saves work papers as WPS or Excel would
  packages+=(chromium poppler-utils postgresql nginx openssl curl libreoffice-calc-nogui)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system: please install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "These system packages are missing: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
