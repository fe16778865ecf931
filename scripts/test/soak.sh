#!/usr/bin/env bash
# Soak run: one ml-app replica under steady load for a bounded time, sampling its memory, to show that nothing
# grows without bound (heap, native memory, threads, RSS). Outside the default test run: it takes minutes.
#
#   scripts/test/soak.sh [DURATION_SECONDS] [OUT_DIR]      (defaults: 600, target/soak)
#
# The replica runs with -XX:NativeMemoryTracking=summary. Every SAMPLE_SECONDS (10) a CSV line records VmRSS and
# Threads from /proc/PID/status, the NMT committed total (jcmd VM.native_memory summary) and the heap in use
# from /metrics. Load: the 'loadtest' command, closed loop, CONCURRENCY (4) workers POSTing a 1200×900 JPEG
# (generated once by ImageIO, so preprocessing is exercised too), keep-alive off (a TCP connection per request,
# the worst case for socket buffers). Ends with summary.txt: first, last and peak of each column, and the RSS
# growth over the second half of the run, where warm-up is over.
# Environment: ML_APP_JAR (target/ml-app.jar), JAVA_HOME (see scripts/lib/jdk.sh), CONCURRENCY, SAMPLE_SECONDS, HEAP (-Xmx, 512m).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use
DURATION=${1:-600}
OUT=${2:-$ROOT/target/soak}
JAR=${ML_APP_JAR:-$ROOT/target/ml-app.jar}
JAVA=$JAVA_HOME/bin/java
JCMD=$JAVA_HOME/bin/jcmd
CONCURRENCY=${CONCURRENCY:-4}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
HEAP=${HEAP:-512m}

[[ -f "$JAR" ]] || { echo "soak: $JAR not found; run './mvnw -B -q -DskipTests package' first" >&2; exit 1; }
mkdir -p "$OUT"
CSV="$OUT/soak.csv"
LOG="$OUT/server.log"

# A photo-sized JPEG for uploads, made by the JDK (no binary in the repository).
IMAGE="$OUT/photo.jpg"
cat >"$OUT/MakeJpeg.java" <<'JAVA'
import java.awt.*;
import java.awt.image.BufferedImage;
public class MakeJpeg {
    public static void main(String[] a) throws Exception {
        BufferedImage img = new BufferedImage(1200, 900, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 400; i++) {
            g.setColor(new Color(r.nextInt(1 << 24)));
            g.fillOval(r.nextInt(1200), r.nextInt(900), 20 + r.nextInt(200), 20 + r.nextInt(200));
        }
        javax.imageio.ImageIO.write(img, "jpg", new java.io.File(a[0]));
    }
}
JAVA
"$JAVA" "$OUT/MakeJpeg.java" "$IMAGE"

# shellcheck disable=SC2046 # jvm.conf's options are a list
TF_CPP_MIN_LOG_LEVEL=2 "$JAVA" -Xmx"$HEAP" -XX:NativeMemoryTracking=summary $(jdk_java_options) \
    -jar "$JAR" --host 127.0.0.1 --port 0 --pod-name soak >"$LOG" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 600); do
    PORT=$(sed -n 's#.*listening on http://[^:]*:\([0-9]*\)/.*#\1#p' "$LOG" | awk 'NR == 1')
    grep -q "ml-app ready" "$LOG" && [[ -n "$PORT" ]] && break
    kill -0 $PID 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.5
done
grep -q "ml-app ready" "$LOG" || { echo "soak: server not ready" >&2; cat "$LOG" >&2; exit 1; }
echo "soak: server pid $PID on port $PORT; load for ${DURATION}s, samples every ${SAMPLE_SECONDS}s into $CSV"

sample() {
    local rss threads nmt heap
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$PID/status")
    nmt=$("$JCMD" "$PID" VM.native_memory summary 2>/dev/null | sed -n 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p')
    heap=$(exec 3<>"/dev/tcp/127.0.0.1/$PORT"; printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3; cat <&3 \
        | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {print int($2/1024)}' | awk 'NR == 1')
    echo "$(date +%s),$rss,${nmt:-},${heap:-},$threads"
}

echo "epoch_seconds,rss_kb,nmt_committed_kb,heap_used_kb,threads" >"$CSV"
sample >>"$CSV"
"$JAVA" -jar "$JAR" loadtest --url "http://127.0.0.1:$PORT" --path /predict --image "$IMAGE" \
    --concurrency "$CONCURRENCY" --duration "${DURATION}s" --json >"$OUT/loadtest.json" 2>"$OUT/loadtest.err" &
LOAD=$!
while kill -0 $LOAD 2>/dev/null; do
    sleep "$SAMPLE_SECONDS"
    kill -0 $PID 2>/dev/null || { echo "soak: the server died" >&2; tail -30 "$LOG" >&2; exit 1; }
    sample >>"$CSV"
done
wait $LOAD || true
sleep 2
sample >>"$CSV"

awk -F, -v duration="$DURATION" -v conc="$CONCURRENCY" '
NR == 1 { next }
{ n++; t[n] = $1; for (c = 2; c <= 5; c++) { v[n, c] = $c; if ($c > max[c]) max[c] = $c } }
END {
    split("rss_kb nmt_committed_kb heap_used_kb threads", name, " ")
    printf "soak: %d s, %d workers, %d samples\n", duration, conc, n
    printf "%-18s %12s %12s %12s\n", "", "first", "last", "peak"
    for (c = 2; c <= 5; c++) printf "%-18s %12s %12s %12s\n", name[c - 1], v[1, c], v[n, c], max[c]
    h = int(n / 2) + 1
    printf "RSS growth over the second half: %+d kB in %d s (%+.1f kB/min)\n", v[n, 2] - v[h, 2], t[n] - t[h], \
        (t[n] > t[h]) ? (v[n, 2] - v[h, 2]) * 60 / (t[n] - t[h]) : 0
    printf "NMT committed growth over the second half: %+d kB\n", v[n, 3] - v[h, 3]
}' "$CSV" >"$OUT/summary.txt"
grep -oE '"(requests|successes|failed|throughput_rps|availability_percent)": *[0-9.]+' "$OUT/loadtest.json" | awk 'NR <= 5' \
    | tr '\n' ' ' >>"$OUT/summary.txt" || true
echo >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
