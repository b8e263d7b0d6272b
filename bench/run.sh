#!/usr/bin/env bash
# Tally HTTP benchmark: real server (embedded SQLite store, with data loaded)
# against a bare axum server that answers the same routes with the same bytes.
# See bench/README.md. Usage: bash bench/run.sh
set -euo pipefail

# ----------------------------------------------------------------- knobs
DURATION=${BENCH_DURATION:-10}          # seconds per measured run
WARMUP=${BENCH_WARMUP:-2}               # seconds of warm-up before each measured run (0 = none)
CONNECTIONS=${BENCH_CONNECTIONS:-64}    # concurrent connections of the load generator
ROUNDS=${BENCH_ROUNDS:-2}               # bare/real pairs per endpoint (order alternates per round)
N_PLANS=${BENCH_PLANS:-200}             # plans to load (incl. price_pro)
N_CUSTOMERS=${BENCH_CUSTOMERS:-500}     # customers to load
N_SESSIONS=${BENCH_SESSIONS:-1000}      # client sessions to load
REAL_PORT=${BENCH_REAL_PORT:-18480}
BARE_PORT=${BENCH_BARE_PORT:-18481}
LOADGEN=${BENCH_LOADGEN:-auto}          # auto | oha | wrk
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}       # 1 = use the binaries already in target/release
KEEP=${BENCH_KEEP:-0}                   # 1 = keep the temp dir (data, logs, captured bodies)
RSS_LIMIT_MB=150                        # target: RSS under load <= 150 MB (10^6 bytes)
API_KEY="bench-bootstrap-key-0123456789"   # fixed bootstrap key (>= 16 chars)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TALLY_BIN=$TARGET_DIR/release/tally
BARE_BIN=$TARGET_DIR/release/tally-bench
OUT_DIR=$ROOT/bench/out
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
REAL_URL="http://127.0.0.1:$REAL_PORT"
BARE_URL="http://127.0.0.1:$BARE_PORT"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ----------------------------------------------------------------- cleanup
PIDS=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -INT "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ $KEEP == 1 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in curl jq awk; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
for port in "$REAL_PORT" "$BARE_PORT"; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        die "port $port is already in use (set BENCH_REAL_PORT / BENCH_BARE_PORT)"
    fi
done

# ----------------------------------------------------------------- build
if [[ $SKIP_BUILD != 1 ]]; then
    log "building release (tally, tally-bench)…"
    (cd "$ROOT" && cargo build --release -p tally -p tally-bench)
fi
[[ -x $TALLY_BIN && -x $BARE_BIN ]] || die "missing $TALLY_BIN or $BARE_BIN"

# ----------------------------------------------------------------- load generator
find_oha() {
    command -v oha 2>/dev/null && return 0
    [[ -x ${CARGO_HOME:-$HOME/.cargo}/bin/oha ]] && { echo "${CARGO_HOME:-$HOME/.cargo}/bin/oha"; return 0; }
    return 1
}
OHA=""; WRK=""
if [[ $LOADGEN == auto || $LOADGEN == oha ]]; then
    if ! OHA=$(find_oha); then
        log "oha not found: cargo install --locked oha (one-off, several minutes)…"
        if cargo install --locked oha >&2; then
            OHA=$(find_oha) || OHA=""
        else
            OHA=""
            log "cargo install oha FAILED"
        fi
    fi
    if [[ -z $OHA ]]; then
        [[ $LOADGEN == oha ]] && die "oha is not available"
        log "falling back to wrk"
    fi
fi
if [[ -z $OHA ]]; then
    if ! WRK=$(command -v wrk); then
        log "wrk not found: apt-get install -y wrk…"
        if [[ $(id -u) == 0 ]]; then apt-get install -y wrk >&2 || true; else sudo apt-get install -y wrk >&2 || true; fi
        WRK=$(command -v wrk) || die "no load generator: neither oha nor wrk could be installed"
    fi
fi
if [[ -n $OHA ]]; then
    LOADGEN_DESC="oha $("$OHA" --version | awk '{print $2}')"
else
    LOADGEN_DESC="wrk ($("$WRK" -v 2>&1 | head -1 | awk '{print $2}'), FALLBACK: oha unavailable)"
fi
log "load generator: $LOADGEN_DESC"

# ----------------------------------------------------------------- helpers
wait_healthy() { # url name pid
    for _ in $(seq 300); do
        kill -0 "$3" 2>/dev/null || die "$2 exited during start-up (see logs in $WORK; rerun with BENCH_KEEP=1)"
        curl -sf -o /dev/null --max-time 1 "$1/healthz" && return 0
        sleep 0.1
    done
    die "$2 did not become healthy at $1"
}

# kB of a /proc/<pid>/status field (VmRSS, VmHWM).
proc_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# CPU ticks (user + system) of a process.
proc_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)
# Percent of all cores busy over one second (to spot other work on the host).
host_busy_pct() {
    local a b
    a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat); sleep 1
    b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); t = (y[1] - x[1]) + (y[2] - x[2]); printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0)}'
}

# Runs a curl config file (one request per block) and checks every status.
curl_batch() { # config-file expected-code what
    local codes bad
    codes=$(sed '$d' "$1" | curl -sS --max-time 600 -K -)
    bad=$(printf '%s\n' "$codes" | grep -cv "^$2\$" || true)
    [[ $bad == 0 ]] || die "$3: $bad request(s) did not answer $2: $(printf '%s\n' "$codes" | grep -v "^$2\$" | sort | uniq -c | tr '\n' ' ')"
    log "$3: $(printf '%s\n' "$codes" | wc -l) × $2"
}

# Prints one request block of a curl config (blocks end in `next`; the batch
# drops the last one).
curl_block() { # method url json-body
    local esc=${3//\\/\\\\}
    esc=${esc//\"/\\\"}
    cat <<EOF
url = "$2"
request = "$1"
header = "Authorization: Bearer $API_KEY"
header = "Content-Type: application/json"
data = "$esc"
output = "/dev/null"
write-out = "%{http_code}\\n"
next
EOF
}

# ----------------------------------------------------------------- real server
mkdir -p "$WORK/data" "$WORK/bodies" "$WORK/runs" "$OUT_DIR"
log "starting tally on $REAL_URL (data dir $WORK/data)"
# Always the embedded store, whatever TALLY_DATABASE_URL the caller has set;
# other TALLY_* settings (e.g. TALLY_LOG) pass through.
env -u TALLY_DATABASE_URL TALLY_DATA_DIR="$WORK/data" TALLY_LISTEN="127.0.0.1:$REAL_PORT" TALLY_BOOTSTRAP_API_KEY="$API_KEY" \
    "$TALLY_BIN" serve >"$WORK/tally.log" 2>&1 &
REAL_PID=$!
PIDS+=("$REAL_PID")
wait_healthy "$REAL_URL" tally "$REAL_PID"

# ----------------------------------------------------------------- data
PRO_PLAN='{"id":"price_pro","name":"Pro Plan","type":"recurring","interval":"months","interval_count":1,"price":{"default":{"amount":1999,"currency":"USD"},"countries":[{"countries":["DE","FR"],"price":{"amount":1899,"currency":"EUR"}}]},"trial_interval":"days","trial_interval_count":14,"trial_price":{"default":{"amount":0,"currency":"USD"}}}'
SESSION_BODY='{"customer":{"email":"jane@example.com","address":{"country":"DE"}},"plan":{"id":"price_pro"},"options":{"currency_details":true}}'
printf '%s' "$SESSION_BODY" >"$WORK/session_body.json"

COUNTRIES=(US DE FR GB JP CA AU BR IN ES IT NL SE CH PL MX)
N_ONEOFF=$(( N_PLANS / 5 ))
{
    curl_block POST "$REAL_URL/plans" "$PRO_PLAN"
    for i in $(seq 2 "$N_PLANS"); do
        amount=$(( 499 + (i * 137) % 9000 ))
        if (( i <= N_ONEOFF + 1 )); then
            curl_block POST "$REAL_URL/plans" "{\"id\":\"oneoff_$i\",\"name\":\"One-off pack $i\",\"type\":\"one-off\",\"price\":{\"default\":{\"amount\":$amount,\"currency\":\"USD\"},\"countries\":[{\"countries\":[\"DE\",\"FR\",\"ES\",\"IT\"],\"price\":{\"amount\":$(( amount - 100 )),\"currency\":\"EUR\"}},{\"countries\":[\"GB\"],\"price\":{\"amount\":$(( amount - 200 )),\"currency\":\"GBP\"}}]}}"
        elif (( i % 2 )); then
            curl_block POST "$REAL_URL/plans" "{\"id\":\"plan_$i\",\"name\":\"Plan $i yearly\",\"type\":\"recurring\",\"interval\":\"years\",\"interval_count\":1,\"price\":{\"default\":{\"amount\":$(( amount * 10 )),\"currency\":\"USD\"}}}"
        else
            curl_block POST "$REAL_URL/plans" "{\"id\":\"plan_$i\",\"name\":\"Plan $i monthly\",\"type\":\"recurring\",\"interval\":\"months\",\"interval_count\":$(( 1 + i % 3 )),\"price\":{\"default\":{\"amount\":$amount,\"currency\":\"USD\"},\"countries\":[{\"countries\":[\"DE\",\"FR\"],\"price\":{\"amount\":$(( amount - 50 )),\"currency\":\"EUR\"}}]},\"trial_interval\":\"days\",\"trial_interval_count\":7,\"trial_price\":{\"default\":{\"amount\":0,\"currency\":\"USD\"}}}"
        fi
    done
} >"$WORK/plans.cfg"
curl_batch "$WORK/plans.cfg" 201 "plans"

{
    for i in $(seq 1 "$N_CUSTOMERS"); do
        c=${COUNTRIES[$(( i % ${#COUNTRIES[@]} ))]}
        curl_block POST "$REAL_URL/customers" "{\"email\":\"customer$i@example.com\",\"external_id\":\"ext-$i\",\"full_name\":\"Customer $i\",\"address\":{\"country\":\"$c\"},\"metadata\":{\"segment\":\"s$(( i % 7 ))\"}}"
    done
} >"$WORK/customers.cfg"
customers_codes=$(sed '$d' "$WORK/customers.cfg" | curl -sS --max-time 600 -K -)
customers_ok=$(printf '%s\n' "$customers_codes" | grep -cE '^20[01]$' || true)
(( customers_ok == N_CUSTOMERS )) || die "customers: only $customers_ok of $N_CUSTOMERS created: $(printf '%s\n' "$customers_codes" | sort | uniq -c | tr '\n' ' ')"
log "customers: $customers_ok created"

# Customer ids for one-off sessions of existing customers.
curl -sS -H "Authorization: Bearer $API_KEY" "$REAL_URL/customers?limit=100" | jq -r '(.data // .customers // .items // [])[] | .id' >"$WORK/customer_ids.txt" || true
mapfile -t CUSTOMER_IDS <"$WORK/customer_ids.txt"
{
    for i in $(seq 1 "$N_SESSIONS"); do
        c=${COUNTRIES[$(( i % ${#COUNTRIES[@]} ))]}
        cd=$([[ $(( i % 2 )) == 0 ]] && echo true || echo false)
        if (( i % 4 == 3 && ${#CUSTOMER_IDS[@]} > 0 && N_ONEOFF > 0 )); then
            cid=${CUSTOMER_IDS[$(( i % ${#CUSTOMER_IDS[@]} ))]}
            curl_block POST "$REAL_URL/client-session" "{\"customer\":{\"id\":\"$cid\"},\"plan\":{\"id\":\"oneoff_$(( 2 + i % N_ONEOFF ))\"},\"payment\":{\"metadata\":{\"order\":\"o$i\"}},\"options\":{\"currency_details\":$cd}}"
        elif (( i % 4 == 0 )); then
            curl_block POST "$REAL_URL/client-session" "$SESSION_BODY"
        else
            p=$(( N_ONEOFF + 2 + i % (N_PLANS - N_ONEOFF - 1 > 0 ? N_PLANS - N_ONEOFF - 1 : 1) ))
            (( p <= N_PLANS )) || p=1
            plan=$([[ $p == 1 ]] && echo price_pro || echo "plan_$p")
            curl_block POST "$REAL_URL/client-session" "{\"customer\":{\"email\":\"buyer$i@example.com\",\"address\":{\"country\":\"$c\"}},\"plan\":{\"id\":\"$plan\"},\"subscription\":{\"metadata\":{\"campaign\":\"c$(( i % 5 ))\"}},\"options\":{\"currency_details\":$cd}}"
        fi
    done
} >"$WORK/sessions.cfg"
curl_batch "$WORK/sessions.cfg" 200 "client sessions"

# ----------------------------------------------------------------- capture
capture() { # name method path [body-file]
    local name=$1 method=$2 path=$3 meta code ct
    local args=(-sS --max-time 10 -X "$method" -H "Authorization: Bearer $API_KEY" -o "$WORK/bodies/$name.body" -w '%{http_code} %{content_type}')
    [[ $# -ge 4 ]] && args+=(-H "Content-Type: application/json" --data-binary "@$4")
    meta=$(curl "${args[@]}" "$REAL_URL$path")
    code=${meta%% *}; ct=${meta#* }
    [[ $code == 200 ]] || die "capture $method $path answered $code: $(head -c 300 "$WORK/bodies/$name.body")"
    printf '%s' "$ct" >"$WORK/bodies/$name.content-type"
    log "captured $method $path: $(wc -c <"$WORK/bodies/$name.body") bytes, $ct"
}
capture post_client_session POST /client-session "$WORK/session_body.json"
SESSION_ID=$(jq -r .id "$WORK/bodies/post_client_session.body")
[[ -n $SESSION_ID && $SESSION_ID != null ]] || die "POST /client-session returned no id"
capture get_client_session GET "/client-session/$SESSION_ID"
jq -e '.currency_details != null' "$WORK/bodies/get_client_session.body" >/dev/null \
    || log "WARNING: the captured session has no currency_details"
capture get_plan GET /plans/price_pro

# ----------------------------------------------------------------- bare server
log "starting bare server on $BARE_URL"
"$BARE_BIN" bare --dir "$WORK/bodies" --listen "127.0.0.1:$BARE_PORT" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
PIDS+=("$BARE_PID")
wait_healthy "$BARE_URL" "bare server" "$BARE_PID"
# Both must answer the same bytes.
for probe in "GET /plans/price_pro get_plan" "GET /client-session/$SESSION_ID get_client_session"; do
    read -r m p n <<<"$probe"
    cmp -s <(curl -sS -H "Authorization: Bearer $API_KEY" "$BARE_URL$p") "$WORK/bodies/$n.body" || die "bare $m $p differs from the capture"
    cmp -s <(curl -sS -H "Authorization: Bearer $API_KEY" "$REAL_URL$p") "$WORK/bodies/$n.body" || log "WARNING: real $m $p is no longer byte-identical to its capture"
done

RSS_BEFORE_KB=$(proc_kb "$REAL_PID" VmRSS)
log "tally RSS after loading data: $(( RSS_BEFORE_KB / 1024 )) MiB"

# ----------------------------------------------------------------- load runs
# Writes "rps p50_ms p99_ms ok errors cut_off" for one run to stdout (rps and
# ok count 2xx answers only; cut_off = requests still in flight at the deadline).
run_load() { # base-url method path seconds json-out
    local url=$1$3 secs=$4 out=$5
    if [[ -n $OHA ]]; then
        local args=(--no-tui --output-format json -z "${secs}s" -c "$CONNECTIONS" -H "Authorization: Bearer $API_KEY")
        if [[ $2 == POST ]]; then
            args+=(-m POST -T application/json -D "$WORK/session_body.json")
        fi
        "$OHA" "${args[@]}" "$url" >"$out" 2>"$out.err" || die "oha failed: $(cat "$out.err")"
        # rps = 2xx answers / run time (oha's own requestsPerSec also counts
        # the requests cut off at the deadline).
        jq -r '([.statusCodeDistribution | to_entries[] | select(.key | startswith("2")) | .value] | add // 0) as $ok
               | (([.statusCodeDistribution | to_entries[] | select(.key | startswith("2") | not) | .value] | add // 0)
                  + ([.errorDistribution // {} | to_entries[] | select(.key | test("deadline") | not) | .value] | add // 0)) as $err
               | ([.errorDistribution // {} | to_entries[] | select(.key | test("deadline")) | .value] | add // 0) as $cut
               | [$ok / .summary.total, (.latencyPercentiles.p50 // 0) * 1000, (.latencyPercentiles.p99 // 0) * 1000, $ok, $err, $cut] | @tsv' "$out"
    else
        local lua="$WORK/wrk.lua"
        {
            echo "wrk.headers[\"Authorization\"] = \"Bearer $API_KEY\""
            if [[ $2 == POST ]]; then
                echo 'wrk.method = "POST"'
                echo 'wrk.headers["Content-Type"] = "application/json"'
                printf 'wrk.body = [[%s]]\n' "$(cat "$WORK/session_body.json")"
            fi
            cat <<'EOF'
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %f %f %f %d %d 0\n", (summary.requests - non2xx) / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests - non2xx, non2xx + errs))
end
EOF
        } >"$lua"
        local threads=2
        (( CONNECTIONS < threads )) && threads=$CONNECTIONS
        "$WRK" -t "$threads" -c "$CONNECTIONS" -d "${secs}s" --timeout 5s -s "$lua" "$url" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
        awk '/^RESULT/ {printf "%s\t%s\t%s\t%s\t%s\t%s\n", $2, $3, $4, $5, $6, $7}' "$out"
    fi
}

RSS_SAMPLES=$WORK/rss.samples
: >"$RSS_SAMPLES"
start_sampler() {
    ( while kill -0 "$REAL_PID" 2>/dev/null; do proc_kb "$REAL_PID" VmRSS >>"$RSS_SAMPLES"; sleep 0.2; done ) &
    SAMPLER_PID=$!
    PIDS+=("$SAMPLER_PID")
}
stop_sampler() { kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; }

# One measured run of one server: warm-up, then the timed run; records
# "rps p50 p99 ok err cpu_us_per_req" in $WORK/runs/<endpoint>.<server>.
measure() { # endpoint server method path
    local ep=$1 srv=$2 base pid t0 t1 res cpu_us
    if [[ $srv == real ]]; then base=$REAL_URL pid=$REAL_PID; else base=$BARE_URL pid=$BARE_PID; fi
    [[ $srv == real ]] && start_sampler
    if (( WARMUP > 0 )); then
        run_load "$base" "$3" "$4" "$WARMUP" "$WORK/runs/$ep.$srv.warmup.json" >/dev/null
    fi
    t0=$(proc_ticks "$pid")
    res=$(run_load "$base" "$3" "$4" "$DURATION" "$WORK/runs/$ep.$srv.$(date +%s%N).json")
    t1=$(proc_ticks "$pid")
    [[ $srv == real ]] && stop_sampler
    kill -0 "$pid" 2>/dev/null || die "$srv server died during $ep"
    cpu_us=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v r="$res" 'BEGIN {split(r, f, "\t"); n = f[4] + f[5]; printf "%.1f", (n > 0 ? (b - a) / hz * 1e6 / n : 0)}')
    printf '%s\t%s\n' "$res" "$cpu_us" >>"$WORK/runs/$ep.$srv"
    [[ $srv == real ]] && proc_kb "$REAL_PID" VmRSS >>"$WORK/runs/$ep.rss"
    log "  $ep $srv: $(awk -F'\t' '{printf "%.0f req/s  p50 %.2f ms  p99 %.2f ms  ok %d  errors %d  cut off %d  server CPU %s µs/req", $1, $2, $3, $4, $5, $6, $7}' <<<"$res	$cpu_us")"
}

ENDPOINTS=(
    "get_session|GET /client-session/{id}|GET|/client-session/$SESSION_ID|0.50"
    "get_plan|GET /plans/{id}|GET|/plans/price_pro|0.50"
    "post_session|POST /client-session|POST|/client-session|0.15"
)
LOG_MARK=$(wc -l <"$WORK/tally.log")
BUSY_BEFORE=$(host_busy_pct)
log "host CPU busy before the runs: $BUSY_BEFORE% (load average $(cut -d' ' -f1-3 /proc/loadavg))"
log "measuring: ${DURATION}s runs after ${WARMUP}s warm-up, $CONNECTIONS connections, $ROUNDS round(s), load generator on the same host"
for entry in "${ENDPOINTS[@]}"; do
    IFS='|' read -r ep _ method path _ <<<"$entry"
    for round in $(seq 1 "$ROUNDS"); do
        if (( round % 2 )); then order=(bare real); else order=(real bare); fi
        for srv in "${order[@]}"; do measure "$ep" "$srv" "$method" "$path"; done
    done
done

BUSY_AFTER=$(host_busy_pct)
# WARN/ERROR lines tally logged during the runs (level and message, counted).
tail -n +"$(( LOG_MARK + 1 ))" "$WORK/tally.log" | grep -E '^[^ ]+ +(WARN|ERROR) ' \
    | sed -E 's/^[^ ]+ +//; s/request_id=[^ ]+ //; s/acquired_after_secs=[0-9.]+/acquired_after_secs=…/' | cut -c1-160 \
    | sort | uniq -c | sort -rn >"$WORK/log_problems.txt" || true
LOG_PROBLEMS=$(awk '{n += $1} END {print n + 0}' "$WORK/log_problems.txt")
RSS_AFTER_KB=$(proc_kb "$REAL_PID" VmRSS)
HWM_KB=$(proc_kb "$REAL_PID" VmHWM)
PEAK_SAMPLED_KB=$(sort -n "$RSS_SAMPLES" | tail -1)
PEAK_SAMPLED_KB=${PEAK_SAMPLED_KB:-0}

# ----------------------------------------------------------------- report
rounds_rps() { awk -F'\t' '{printf "%s%.0f", (NR > 1 ? " / " : ""), $1}' "$1"; }
mean_cols() { awk -F'\t' '{for (i = 1; i <= NF; i++) s[i] += $i; n++} END {for (i = 1; i <= 7; i++) printf "%s%s", (n ? s[i] / n : 0), (i < 7 ? "\t" : "\n")}' "$1"; }
REPORT=$WORK/report.txt
ALL_PASS=1
{
    echo "Tally benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(nproc) cores, $(uname -r); load generator: $LOADGEN_DESC (shares the cores with the server)"
    echo "settings: ${DURATION}s per run after ${WARMUP}s warm-up, $CONNECTIONS connections, keep-alive, $ROUNDS round(s) per endpoint (bare/real alternating)"
    echo "data: $N_PLANS plans, $N_CUSTOMERS customers, $N_SESSIONS sessions; store: embedded SQLite in $(df --output=fstype "$WORK" | tail -1 | tr -d ' ') temp dir"
    echo "bodies: GET session $(wc -c <"$WORK/bodies/get_client_session.body") B (currency_details), GET plan $(wc -c <"$WORK/bodies/get_plan.body") B, POST session $(wc -c <"$WORK/bodies/post_client_session.body") B"
    echo
    printf '%-26s %10s %10s %7s  %-17s %-17s %6s  %s\n' endpoint "bare rps" "real rps" ratio "bare p50/p99 ms" "real p50/p99 ms" target result
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r ep label _ _ target <<<"$entry"
        IFS=$'\t' read -r b_rps b_p50 b_p99 b_ok b_err b_cut b_cpu < <(mean_cols "$WORK/runs/$ep.bare")
        IFS=$'\t' read -r r_rps r_p50 r_p99 r_ok r_err r_cut r_cpu < <(mean_cols "$WORK/runs/$ep.real")
        ratio=$(awk -v r="$r_rps" -v b="$b_rps" 'BEGIN {printf "%.3f", (b > 0 ? r / b : 0)}')
        result=$(awk -v x="$ratio" -v t="$target" -v e="$r_err" 'BEGIN {print ((x >= t && e == 0) ? "PASS" : "FAIL")}')
        [[ $result == PASS ]] || ALL_PASS=0
        printf '%-26s %10.0f %10.0f %6.2fx  %-17s %-17s %5.2fx  %s\n' "$label" "$b_rps" "$r_rps" "$ratio" \
            "$(printf '%.2f/%.2f' "$b_p50" "$b_p99")" "$(printf '%.2f/%.2f' "$r_p50" "$r_p99")" "$target" "$result"
        DETAILS+=("  $label" \
            "$(printf '    bare: %.0f ok, %.0f errors, %.0f cut off, %.1f µs CPU/req; rps by round: %s' \
                "$b_ok" "$b_err" "$b_cut" "$b_cpu" "$(rounds_rps "$WORK/runs/$ep.bare")")" \
            "$(printf '    real: %.0f ok, %.0f errors, %.0f cut off, %.1f µs CPU/req; rps by round: %s; RSS after %.1f MB' \
                "$r_ok" "$r_err" "$r_cut" "$r_cpu" "$(rounds_rps "$WORK/runs/$ep.real")" \
                "$(awk '{k = $1} END {print k * 1024 / 1e6}' "$WORK/runs/$ep.rss")")")
        if awk -F'\t' '$4 == 0 {z = 1} END {exit !z}' "$WORK/runs/$ep.real"; then
            DETAILS+=("    STALLED: the real server answered nothing in at least one run")
        fi
    done
    peak_kb=$(( PEAK_SAMPLED_KB > HWM_KB ? PEAK_SAMPLED_KB : HWM_KB ))
    rss_result=$(awk -v k="$peak_kb" -v l="$RSS_LIMIT_MB" 'BEGIN {print ((k * 1024 <= l * 1e6) ? "PASS" : "FAIL")}')
    [[ $rss_result == PASS ]] || ALL_PASS=0
    echo
    printf 'RSS of tally: peak %.1f MB (max VmRSS sampled under load %.1f MB, VmHWM %.1f MB); after loading data %.1f MB; after load %.1f MB — target <= %d MB: %s\n' \
        "$(awk -v k="$peak_kb" 'BEGIN {print k * 1024 / 1e6}')" "$(awk -v k="$PEAK_SAMPLED_KB" 'BEGIN {print k * 1024 / 1e6}')" \
        "$(awk -v k="$HWM_KB" 'BEGIN {print k * 1024 / 1e6}')" "$(awk -v k="$RSS_BEFORE_KB" 'BEGIN {print k * 1024 / 1e6}')" \
        "$(awk -v k="$RSS_AFTER_KB" 'BEGIN {print k * 1024 / 1e6}')" "$RSS_LIMIT_MB" "$rss_result"
    echo
    echo "details (means over rounds, in run order; errors = non-2xx or failed requests; cut off = in flight at the deadline, not counted):"
    printf '%s\n' "${DETAILS[@]}"
    echo
    if (( LOG_PROBLEMS > 0 )); then
        echo "tally logged $LOG_PROBLEMS WARN/ERROR line(s) during the runs:"
        head -5 "$WORK/log_problems.txt"
        ALL_PASS=0
    else
        echo "tally logged no WARN/ERROR lines during the runs"
    fi
    echo "host CPU busy (other work) just before the runs: $BUSY_BEFORE%, just after: $BUSY_AFTER%"
    if (( BUSY_BEFORE > 10 || BUSY_AFTER > 10 )); then
        echo "WARNING: something else was using the CPU around the runs; figures are not reliable"
    fi
    echo "overall: $([[ $ALL_PASS == 1 ]] && echo PASS || echo FAIL)"
} >"$REPORT"
cp "$REPORT" "$OUT_DIR/latest.txt"
cat "$REPORT"
log "table written to $OUT_DIR/latest.txt"
