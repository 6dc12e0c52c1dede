# Shared by scripts/run, scripts/test and scripts/bench: find uv and a Python 3.12+ for the
# project venv, install the Debian packages a script needs.
# Sourced, not executed.

# uv drives every install; bootstrap it with pip on a machine that lacks it.
ensure_uv() {
    # `command -v` is not enough: a pyenv shim exists even when the active Python lacks uv.
    if ! uv --version >/dev/null 2>&1; then
        echo "scripts: installing uv (python3 -m pip install uv)" >&2
        python3 -m pip install --quiet uv
        hash -r
    fi
}

# Production runs CPython 3.12 (.python-version). uv finds it on PATH or downloads it;
# on machines where pyenv keeps 3.12 out of PATH, point uv at pyenv's copy directly.
pick_python() {
    if [ -z "${UV_PYTHON:-}" ]; then
        for candidate in "$(command -v python3.12 2>/dev/null)" /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12; do
            if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then
                export UV_PYTHON="$candidate"
                return
            fi
        done
    fi
}

# Install the Debian packages named in a list file (one per line, `#` comments) that are
# missing; apt-get runs only when one is.
ensure_debian_packages() {
    local missing=() pkg _
    while read -r pkg _; do
        [ -z "$pkg" ] || [ "${pkg:0:1}" = "#" ] && continue
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done < "$1"
    if [ ${#missing[@]} -gt 0 ]; then
        echo "scripts: installing Debian packages: ${missing[*]}" >&2
        local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}
