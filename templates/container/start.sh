set -eu
# Starts one capability's server: node <capability>/<mode>.mjs, listening on $ADDRESS:$PORT.
#   start.sh [capability [rest|mcp|control]] [--base-uri URI ...]
# The capability and the mode come from the arguments, else from CAPABILITY and MODE (default rest).
# `control` runs the control port on $ADDRESS:$PORT and the capability's adapters in the same
# process, each on its own port and address (<NAMESPACE>_REST_PORT, <NAMESPACE>_REST_ADDRESS, ...).
# `exec` makes node this process, so it receives SIGTERM itself and shuts down gracefully.
cd "$(dirname "$0")"
capability="${CAPABILITY:-}"
mode="${MODE:-rest}"
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then capability="$1"; shift; fi
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then mode="$1"; shift; fi

available() {
  for server in */rest.mjs */mcp.mjs */control.mjs; do
    if [ -f "$server" ]; then printf ' %s' "${server%.mjs}"; fi
  done
}

case "$mode" in
  rest) ;;
  # Streamable HTTP even where the capability declares stdio: a container serves over the network.
  mcp) set -- --http "$@" ;;
  control) ;;
  *) echo "error: the mode must be rest, mcp or control, not '$mode'" >&2; exit 2 ;;
esac
case "$capability" in
  '' | -* | *[!a-z0-9-]*)
    echo "error: name the capability (CAPABILITY, or the first argument); this image serves:$(available)" >&2
    exit 2
    ;;
esac
if [ ! -f "$capability/$mode.mjs" ]; then
  echo "error: no $mode server for '$capability' in this image; it serves:$(available)" >&2
  exit 2
fi
exec node "$capability/$mode.mjs" --port "${PORT:-8080}" --address "${ADDRESS:-0.0.0.0}" "$@"
