#!/usr/bin/env bash
# Records the raw SSE bodies (byte-exact, CRLF kept) of runs of the test graphs
# (testing/langgraph/graphs.py) on a real LangGraph server, for LangGraphRunMapperTests.
#
# Usage: scripts/services up && . .local/services.env
#        Tests/CleverAgentsLangGraphTests/Transcripts/record.sh
#
# Every run is started the way LangGraphExecutor starts it (its default stream modes, resumable,
# thread created on demand; tokens-messages.sse with the `messages` mode instead) on a fresh thread, with a fixed A2A message id per transcript.
# Run ids, interrupt ids, event ids and AI message ids are the server's, so re-recording
# changes them; the tests read those from the transcripts, never from constants.
set -euo pipefail
export LC_ALL=C

: "${CLEVERAGENTS_TEST_LANGGRAPH_URL:?source .local/services.env (scripts/services up) first}"
URL="${CLEVERAGENTS_TEST_LANGGRAPH_URL%/}"
OUT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
RUN='"stream_resumable":true,"if_not_exists":"create","on_disconnect":"continue"'
MODES='"stream_mode":["values","updates","custom","messages-tuple"],'"$RUN"
MESSAGES_MODES='"stream_mode":["values","messages"],'"$RUN"

new_thread() { cat /proc/sys/kernel/random/uuid; }

# stream <file> <thread> <body fields> [modes]: POST a streamed run and save the response body as it is.
stream() {
    local file="$1" thread="$2" fields="$3" modes="${4:-$MODES}" code
    code=$(curl -sS -N -X POST "$URL/threads/$thread/runs/stream" \
        -H 'content-type: application/json' -H 'accept: text/event-stream' \
        -d "{$fields,$modes}" -o "$OUT/$file" -w '%{http_code}')
    [[ "$code" == 200 ]] || { echo "record.sh: $file: HTTP $code" >&2; exit 1; }
    echo "recorded $file ($(wc -c <"$OUT/$file") bytes)"
}

# input <assistant> <message id> <text> [extra input fields]
input() {
    local extra="${4:+,$4}"
    printf '"assistant_id":"%s","input":{"messages":[{"type":"human","content":"%s","id":"%s"}]%s}' "$1" "$3" "$2" "$extra"
}

# interrupt_id <file> <key>: the id of the ask_two interrupt with that key.
interrupt_id() {
    grep -o "\"key\":\"$2\"},\"id\":\"[0-9a-f]*\"" "$OUT/$1" | head -n 1 | sed 's/.*"id":"\([0-9a-f]*\)"/\1/'
}

stream echo.sse "$(new_thread)" "$(input echo msg-echo 'hello')"
stream echo-boom.sse "$(new_thread)" "$(input echo msg-boom 'boom')"
stream steps.sse "$(new_thread)" "$(input steps msg-steps 'go')"
stream chunks.sse "$(new_thread)" "$(input chunks msg-chunks 'go')"
stream tokens.sse "$(new_thread)" "$(input tokens msg-tokens 'life')"
stream tokens-messages.sse "$(new_thread)" "$(input tokens msg-tokens 'life')" "$MESSAGES_MODES"

thread=$(new_thread)
stream ask.sse "$thread" "$(input ask msg-ask 'deploy')"
stream ask-resume.sse "$thread" '"assistant_id":"ask","command":{"resume":"yes"}'

thread=$(new_thread)
stream ask-two.sse "$thread" "$(input ask_two msg-ask-two 'release')"
first=$(interrupt_id ask-two.sse first)
second=$(interrupt_id ask-two.sse second)
[[ -n "$first" && -n "$second" ]] || { echo "record.sh: ask_two interrupt ids not found" >&2; exit 1; }
stream ask-two-partial-resume.sse "$thread" "\"assistant_id\":\"ask_two\",\"command\":{\"resume\":{\"$first\":\"yes\"}}"
stream ask-two-final-resume.sse "$thread" "\"assistant_id\":\"ask_two\",\"command\":{\"resume\":{\"$second\":\"ok\"}}"

stream directive-message.sse "$(new_thread)" \
    "$(input directive msg-directive 'hi' '"directive":{"message":{"messageId":"reply-1","parts":[{"text":"a direct reply"}]}}')"
stream directive-rejected.sse "$(new_thread)" \
    "$(input directive msg-directive 'hi' '"directive":{"status":{"state":"rejected","message":"not allowed"}}')"
stream directive-artifacts.sse "$(new_thread)" \
    "$(input directive msg-directive 'hi' '"directive":{"artifacts":[{"artifactId":"report","name":"report","parts":[{"text":"line 1"}]},{"name":"table","parts":[{"data":{"rows":2}}]}]}')"

# A slow run, canceled once its first progress event arrived.
thread=$(new_thread)
rm -f "$OUT/slow-canceled.sse"
curl -sS -N -X POST "$URL/threads/$thread/runs/stream" -H 'content-type: application/json' -H 'accept: text/event-stream' \
    -d "{$(input slow msg-slow 'wait' '"seconds":20'),$MODES}" -o "$OUT/slow-canceled.sse" &
curl_pid=$!
for _ in $(seq 1 300); do
    grep -q '"elapsed":1' "$OUT/slow-canceled.sse" 2>/dev/null && break
    sleep 0.05
done
grep -q '"elapsed":1' "$OUT/slow-canceled.sse" || { echo "record.sh: slow run sent no progress" >&2; kill "$curl_pid"; exit 1; }
run=$(grep -o '"run_id":"[^"]*"' "$OUT/slow-canceled.sse" | head -n 1 | cut -d'"' -f4)
curl -sS -X POST "$URL/threads/$thread/runs/$run/cancel?wait=0&action=interrupt" -o /dev/null
wait "$curl_pid"
status=$(curl -sS "$URL/threads/$thread/runs/$run" | grep -o '"status":"[^"]*"' | head -n 1)
[[ "$status" == '"status":"interrupted"' ]] || { echo "record.sh: canceled run has $status" >&2; exit 1; }
echo "recorded slow-canceled.sse ($(wc -c <"$OUT/slow-canceled.sse") bytes, run $status)"
