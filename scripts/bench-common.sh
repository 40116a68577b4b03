# Shared by the bench scripts: sourced, not run.

# wait_for_port PORT SECONDS: returns once something listens on 127.0.0.1:PORT; fails
# after SECONDS.
wait_for_port() {
    for _ in $(seq 1 $(($2 * 10))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1 after $2 s" >&2
    return 1
}

# flood PORT COUNT: COUNT probes of /healthcheck at once; prints how many were answered.
flood() {
    python3 "$(dirname "${BASH_SOURCE[0]}")/flood.py" "$1" "$2"
}
