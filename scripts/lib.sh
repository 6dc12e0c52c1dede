# Shared by scripts/run and scripts/test: find uv and a Python 3.12+ for the project venv.
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
