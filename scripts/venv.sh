#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) and installs a requirements file into it when it changed.
#   scripts/venv.sh requirements.txt | requirements-dev.txt
set -euo pipefail

requirements=${1:-requirements.txt}
python=${PYTHON:-python3}
venv=.venv

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "The portal needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Install a newer Python and run again with PYTHON=/path/to/python3.11." >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "Creating the virtual environment in $venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

# Reinstall only when the requirements changed since the last install.
stamp="$venv/.installed-$(basename "$requirements")"
if [ ! -f "$stamp" ] || [ -n "$(find requirements*.txt -newer "$stamp")" ]; then
  echo "Installing Python packages from $requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
