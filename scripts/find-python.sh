#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter, or explain what is missing and fail.
set -u
want_major=3
want_minor=12
ok() {
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= ($want_major, $want_minor) else 1)" 2>/dev/null
}
for cand in "${PYTHON:-}" python3.13 python3.12; do
  [ -n "$cand" ] || continue
  path=$(command -v "$cand" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for v in $(cat .python-version 2>/dev/null) 3.13 3.12; do
    path=$(PYENV_VERSION=$v pyenv which python3 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
  done
fi
path=$(command -v python3 2>/dev/null) && ok "$path" && { echo "$path"; exit 0; }
echo "error: Dreamland PRO needs Python >= 3.12; none found (tried \$PYTHON, python3.13, python3.12, pyenv, python3). Install one, e.g. 'pyenv install 3.12', or set PYTHON=/path/to/python3.12." >&2
exit 1
