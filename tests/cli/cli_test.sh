#!/usr/bin/env bash
# End-to-end tests of the `journey` binary: exit codes, output formats and hostile input.
# Usage: cli_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
root=$(pwd)
source "$(dirname "$0")/lib.sh"
begin_checks

cp "$root/tests/cli/fixtures/good.journey" "$work/good.journey"
cp "$root/tests/cli/fixtures/bad.journey" "$work/bad.journey"

# --- Basic contract ----------------------------------------------------------------------------
expect "version" 0 "$journey" --version && contains "version" "$out" "journey "
expect "help" 0 "$journey" --help && contains "help lists check" "$out" "check" && contains "help has examples" "$out" "Examples:"
expect "no subcommand" 2 "$journey" && ok
expect "unknown subcommand" 2 "$journey" frobnicate && ok
expect "unknown option" 2 "$journey" check --no-such-option "$work/good.journey" && ok
expect "check without file" 2 "$journey" check && ok

# --- check: exit codes and formats -------------------------------------------------------------
expect "check clean" 0 "$journey" check "$work/good.journey" && contains "clean summary" "$err" "no problems found"
expect "check error" 1 "$journey" check --color=never "$work/bad.journey" && contains "error location" "$err" "bad.journey:5:"
contains "error code" "$err" "[unknown-name]"
expect "check several files" 1 "$journey" check "$work/good.journey" "$work/bad.journey" && contains "several summary" "$err" "checked 2 files"
expect "check json" 1 "$journey" check --format json "$work/bad.journey"
contains "json code" "$out" '"code": "unknown-name"'
contains "json line" "$out" '"line": 5'
if command -v python3 >/dev/null; then
  if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["errors"]>=1' 2>/dev/null; then ok; else echo "FAIL json parses"; failed=$((failed + 1)); fi
fi
expect "json clean" 0 "$journey" check --format json "$work/good.journey" && contains "json clean" "$out" '"diagnostics": []'
expect "bad format" 2 "$journey" check --format xml "$work/good.journey" && ok

# Colour: never when piped, always when asked, never with NO_COLOR.
expect "no colour in pipes" 1 "$journey" check "$work/bad.journey"
if [[ "$err" == *$'\x1b['* ]]; then echo "FAIL colour leaked into a pipe"; failed=$((failed + 1)); else ok; fi
expect "colour always" 1 "$journey" check --color=always "$work/bad.journey"
if [[ "$err" == *$'\x1b['* ]]; then ok; else echo "FAIL --color=always has no colour"; failed=$((failed + 1)); fi

# --- check: CI integration (docs/ci.md) -------------------------------------------------------
cat >"$work/warn.journey" <<'EOF'
journey Warn {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start { after 1d -> Done }
  stage Orphan { after 1d -> Done }
  goal Done
}
EOF
expect "warnings only" 0 "$journey" check --color=never "$work/warn.journey" && contains "warning shown" "$err" "warning: no customer can reach stage \`Orphan\` [unreachable-stage]"

# --list-codes: every code with its severity and summary.
expect "list codes" 0 "$journey" check --list-codes && contains "list codes" "$out" "unknown-name"
contains "list codes severity" "$out" "error    a name that is not declared"
contains "list codes suppressions" "$out" "unused-suppression"
if [ "$(printf '%s\n' "$out" | wc -l)" -gt 60 ]; then ok; else echo "FAIL list codes: too few lines"; failed=$((failed + 1)); fi

# SARIF: stdout only, same exit codes (the schema is checked by tests/sarif).
expect "sarif error" 1 "$journey" check --format sarif "$work/bad.journey" && contains "sarif version" "$out" '"version": "2.1.0"'
contains "sarif rule" "$out" '"ruleId": "unknown-name"'
contains "sarif columns" "$out" '"columnKind": "unicodeCodePoints"'
if [ -z "$err" ]; then ok; else echo "FAIL sarif writes to stderr: $err"; failed=$((failed + 1)); fi
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["runs"][0]["results"])==1' 2>/dev/null; then ok; else echo "FAIL sarif parses"; failed=$((failed + 1)); fi
expect "sarif clean" 0 "$journey" check --format sarif "$work/good.journey" && contains "sarif clean" "$out" '"results": []'
expect "sarif warning" 0 "$journey" check --format sarif "$work/warn.journey" && contains "sarif warning" "$out" '"level": "warning"'
expect "sarif unreadable" 2 "$journey" check --format sarif "$work/nope.journey" && contains "sarif unreadable" "$out" '"ruleId": "file-unreadable"'

# GitHub workflow commands: one line per diagnostic, escaped.
expect "github error" 1 "$journey" check --format github "$work/bad.journey"
contains "github command" "$out" "::error file=$work/bad.journey,line=5,col=29,endLine=5,endColumn=32,title=unknown-name::unknown stage \`Dnoe\`%0Ahelp: did you mean \`Done\`?"
contains "github summary on stderr" "$err" "checked 1 file: 1 error, 0 warnings"
expect "github warning" 0 "$journey" check --format github "$work/warn.journey" && contains "github warning" "$out" "::warning file="
contains "github warning title" "$out" ",title=unreachable-stage::"
cp "$work/bad.journey" "$work/a,b:c%.journey"
expect "github escapes properties" 1 "$journey" check --format github "$work/a,b:c%.journey" && contains "github escapes" "$out" "a%2Cb%3Ac%25.journey,line=5"
expect "github unreadable" 2 "$journey" check --format github "$work/nope.journey" && contains "github unreadable" "$out" "::error file=$work/nope.journey,title=file-unreadable::"
cd "$work"
expect "github relative path" 1 "$journey" check --format github bad.journey && contains "github relative" "$out" "::error file=bad.journey,line=5"
cd "$root"

# --deny warnings: warnings fail and show as errors.
expect "deny warnings" 1 "$journey" check --color=never --deny warnings "$work/warn.journey" && contains "deny shown as error" "$err" "error: no customer can reach stage \`Orphan\` [unreachable-stage]"
contains "deny note" "$err" "\`--deny warnings\` turns this warning into an error"
contains "deny summary" "$err" "1 error, 0 warnings"
expect "deny warnings clean" 0 "$journey" check --deny warnings "$work/good.journey" && ok
expect "deny github" 1 "$journey" check --format github --deny=warnings "$work/warn.journey" && contains "deny github" "$out" "::error file="
expect "deny json" 1 "$journey" check --format json --deny warnings "$work/warn.journey" && contains "deny json" "$out" '"errors": 1'
expect "deny unknown" 2 "$journey" check --deny errors "$work/warn.journey" && ok

# --allow CODE: drops those findings; unknown codes and errors are usage errors.
expect "allow" 0 "$journey" check --allow unreachable-stage "$work/warn.journey" && contains "allow" "$err" "no problems found"
expect "allow then deny" 0 "$journey" check --allow unreachable-stage --deny warnings "$work/warn.journey" && ok
expect "allow repeated" 0 "$journey" check --allow no-goal --allow unreachable-stage "$work/warn.journey" "$work/good.journey" && contains "allow repeated" "$err" "checked 2 files"
expect "allow other code" 1 "$journey" check --allow no-goal --deny warnings "$work/warn.journey" && ok
expect "allow unknown code" 2 "$journey" check --allow unreachable-stag "$work/warn.journey" && contains "allow unknown" "$err" "see \`journey check --list-codes\`"
contains "allow did you mean" "$err" "did you mean \`unreachable-stage\`?"
expect "allow an error" 2 "$journey" check --allow unknown-name "$work/bad.journey" && contains "allow an error" "$err" "cannot be allowed"

# Suppressions in the spec: `// journey-allow: CODE reason`.
sed 's|  stage Orphan|  // journey-allow: unreachable-stage reached by the March campaign, wired up next sprint\n  stage Orphan|' "$work/warn.journey" >"$work/silenced.journey"
expect "suppressed with reason" 0 "$journey" check --deny warnings "$work/silenced.journey" && contains "suppressed" "$err" "no problems found"
sed 's|  stage Orphan { after 1d -> Done }|  stage Orphan { after 1d -> Done } // journey-allow: unreachable-stage|' "$work/warn.journey" >"$work/noreason.journey"
expect "suppression without reason" 0 "$journey" check --color=never "$work/noreason.journey" && contains "no reason" "$err" "[bad-suppression]"
contains "no reason keeps the finding" "$err" "[unreachable-stage]"
expect "suppression without reason denied" 1 "$journey" check --deny warnings "$work/noreason.journey" && ok
sed 's|  stage Start {|  // journey-allow: unreachable-stage nothing to silence here\n  stage Start {|' "$work/warn.journey" >"$work/unused.journey"
expect "unused suppression" 0 "$journey" check --color=never "$work/unused.journey" && contains "unused" "$err" "[unused-suppression]"
expect "unused suppression allowed" 0 "$journey" check --allow unused-suppression --allow unreachable-stage "$work/unused.journey" && contains "unused allowed" "$err" "no problems found"
sed 's|  stage Start { after 1d -> Done }|  stage Start { after 1d -> Dnoe } // journey-allow: unknown-name errors stay|' "$work/warn.journey" >"$work/error.journey"
expect "errors cannot be silenced" 1 "$journey" check "$work/error.journey" && contains "errors stay" "$err" "[unknown-name]"
contains "errors cannot be silenced" "$err" "cannot be silenced"

# --- Hostile input: a clear error, never a crash or a hang -------------------------------------
expect "missing file" 2 "$journey" check "$work/nope.journey" && contains "missing file" "$err" "cannot read"
mkdir "$work/dir.journey"
expect "directory" 2 "$journey" check "$work/dir.journey" && contains "directory" "$err" "directory"
: >"$work/empty.journey"
expect "empty file" 1 "$journey" check "$work/empty.journey" && contains "empty file" "$err" "[missing-journey]"
head -c 4096 /dev/urandom >"$work/random.journey"
printf '\0' >>"$work/random.journey"
expect "binary file" 1 "$journey" check "$work/random.journey" && contains "binary" "$err" "[binary-file]"
printf 'journey J "caf\xe9" {}\n' >"$work/latin1.journey"
expect "invalid utf-8" 1 "$journey" check "$work/latin1.journey" && contains "utf8" "$err" "[invalid-utf8]"
python3 -c "print('journey J { param p = ' + '('*100000 + '1' + ')'*100000 + ' }')" >"$work/nested.journey"
expect "100000 nested parentheses" 1 "$journey" check "$work/nested.journey" && contains "nesting" "$err" "[nesting-too-deep]"
python3 -c "print('journey J { param p = 1' + ' + 1'*100000 + ' }')" >"$work/chain.journey"
expect "100000-term expression" 1 "$journey" check "$work/chain.journey" && contains "chain" "$err" "[nesting-too-deep]"
printf 'use "missing/lib.journey"\njourney J { horizon 1d entry A persona P { share 100%% } stage A { after 1d -> B } goal B }\n' >"$work/use.journey"
expect "missing use target" 1 "$journey" check "$work/use.journey" && contains "use" "$err" "[use-not-found]"
# A 50 MB file: generated stages, read, parsed and analysed, or refused, with a clear message.
python3 - "$work/big.journey" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("journey Big {\n  horizon 365d\n  entry S0\n  persona P { share 100% }\n")
    i = 0
    while f.tell() < 50 * 1024 * 1024:
        f.write(f"  stage S{i} {{ after 1d -> S{i+1} }} // padding padding padding padding padding padding\n")
        i += 1
    f.write(f"  goal S{i}\n}}\n")
EOF
# About 10 s in a release build; a Debug build under ASan and UBSan (CI) needs several times that.
limit=240 expect "50 MB file" 0 "$journey" check "$work/big.journey" && ok
head -c $((70 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$work/huge.journey"
expect "70 MB file" 2 "$journey" check "$work/huge.journey" && contains "too large" "$err" "huge.journey\`: it is 70 MB, over the limit of 64 MB [file-unreadable]"
# Only a regular file is read, and never past the limit: a device, a FIFO, a pipe or a sparse
# file of 100 GB is refused at once (memory is capped in case one is read after all).
# AddressSanitizer reserves terabytes of address space, which `ulimit -v` forbids: a sanitized
# build runs uncapped (the time limit still catches an unbounded read).
capped=(bash -c 'ulimit -v 4000000; exec "$@"' _)
if grep -qa __asan_init "$journey"; then capped=(); fi
limit=20 expect "check /dev/zero" 2 "${capped[@]}" "$journey" check /dev/zero && contains "/dev/zero" "$err" "cannot read \`/dev/zero\`: it is a character device, not a regular file"
mkfifo "$work/spec.fifo"
limit=20 expect "check a fifo" 2 "${capped[@]}" "$journey" check "$work/spec.fifo" && contains "fifo" "$err" "it is a pipe, not a regular file"
limit=20 expect "check /dev/stdin" 2 bash -c 'echo "journey J {}" | exec "$@"' _ "$journey" check /dev/stdin && contains "stdin" "$err" "cannot read \`/dev/stdin\`: it is a pipe, not a regular file"
truncate -s 100G "$work/sparse.journey"
limit=20 expect "100 GB sparse file" 2 "${capped[@]}" "$journey" check "$work/sparse.journey" && contains "sparse" "$err" "it is 102400 MB, over the limit of 64 MB"
printf 'use "/dev/zero"\njourney J { horizon 1d entry A persona P { share 100%% } stage A { after 1d -> B } goal B }\n' >"$work/use-zero.journey"
limit=20 expect "use /dev/zero" 1 "${capped[@]}" "$journey" check --color=never "$work/use-zero.journey" && contains "use /dev/zero" "$err" "use-zero.journey:1:5: error: cannot read \`/dev/zero\`: it is a character device, not a regular file [use-not-found]"
printf 'use "spec.fifo"\njourney J { horizon 1d entry A persona P { share 100%% } stage A { after 1d -> B } goal B }\n' >"$work/use-fifo.journey"
limit=20 expect "use a fifo" 1 "${capped[@]}" "$journey" check --color=never "$work/use-fifo.journey" && contains "use a fifo" "$err" "use-fifo.journey:1:5: error: cannot read \`$work/spec.fifo\`: it is a pipe, not a regular file [use-not-found]"

# --- fmt ---------------------------------------------------------------------------------------
printf 'journey   Good{horizon 30d entry Start\npersona Everyone{share 100%%}\nstage Start{after 1d->Done}\ngoal Done}\n' >"$work/messy.journey"
cp "$work/messy.journey" "$work/messy.orig"
expect "fmt --check lists unformatted" 1 "$journey" fmt --check "$work/messy.journey" && contains "fmt --check" "$out" "messy.journey"
if cmp -s "$work/messy.journey" "$work/messy.orig"; then ok; else echo "FAIL fmt --check changed the file"; failed=$((failed + 1)); fi
expect "fmt --stdout" 0 "$journey" fmt --stdout "$work/messy.journey" && contains "fmt --stdout" "$out" "journey Good {"
expect "fmt rewrites" 0 "$journey" fmt "$work/messy.journey" && ok
expect "fmt is idempotent" 0 "$journey" fmt --check "$work/messy.journey" && ok
# A symbolic link stays a link; the file it points to is rewritten.
cp "$work/messy.orig" "$work/linked.journey"
ln -s linked.journey "$work/link.journey"
expect "fmt through a link" 0 "$journey" fmt "$work/link.journey" && ok
if [ -L "$work/link.journey" ] && grep -q "journey Good {" "$work/linked.journey"; then ok; else
  echo "FAIL fmt replaced the symbolic link or left its target"; failed=$((failed + 1)); fi
cp "$work/bad.journey" "$work/bad.orig"
printf 'journey X { stage A { after -> } }\n' >"$work/syntax.journey"
cp "$work/syntax.journey" "$work/syntax.orig"
expect "fmt refuses syntax errors" 1 "$journey" fmt "$work/syntax.journey" && contains "fmt refuses" "$err" "not formatted"
if cmp -s "$work/syntax.journey" "$work/syntax.orig"; then ok; else echo "FAIL fmt touched a file with syntax errors"; failed=$((failed + 1)); fi
expect "fmt missing file" 2 "$journey" fmt "$work/nope.journey" && ok
# A link planted at a temporary name beside the file is never followed.
cp "$work/messy.orig" "$work/planted.journey"
echo precious >"$work/victim"
ln -s "$work/victim" "$work/planted.journey.journey-fmt.tmp"
expect "fmt beside a planted link" 0 "$journey" fmt "$work/planted.journey" && contains "fmt beside a planted link" "$(cat "$work/planted.journey")" "journey Good {"
contains "planted link not followed" "$(cat "$work/victim")" "precious"
# A read-only file is refused and left alone, even for root.
cp "$work/messy.orig" "$work/readonly.journey" && chmod 0444 "$work/readonly.journey"
expect "fmt refuses a read-only file" 2 "$journey" fmt "$work/readonly.journey" && contains "fmt read-only" "$err" "journey: error: cannot write \`$work/readonly.journey\`: it is read-only"
if cmp -s "$work/readonly.journey" "$work/messy.orig" && [ "$(stat -c %a "$work/readonly.journey")" = 444 ]; then ok; else
  echo "FAIL fmt changed a read-only file"; failed=$((failed + 1)); fi
# Mode, owner and group stay; hard links stay one file.
cp "$work/messy.orig" "$work/owned.journey" && chmod 0640 "$work/owned.journey"
if [ "$(id -u)" -eq 0 ]; then chown 1234:5678 "$work/owned.journey"; fi
before=$(stat -c '%u:%g %a' "$work/owned.journey")
expect "fmt keeps mode and owner" 0 "$journey" fmt "$work/owned.journey" && contains "fmt keeps mode and owner" "$(stat -c '%u:%g %a' "$work/owned.journey")" "$before"
cp "$work/messy.orig" "$work/hard-a.journey" && ln "$work/hard-a.journey" "$work/hard-b.journey"
expect "fmt a hard link" 0 "$journey" fmt "$work/hard-a.journey" && contains "fmt a hard link" "$(cat "$work/hard-b.journey")" "journey Good {"
if [ "$work/hard-a.journey" -ef "$work/hard-b.journey" ]; then ok; else echo "FAIL fmt broke a hard link"; failed=$((failed + 1)); fi

# --- dump --------------------------------------------------------------------------------------
expect "dump ast" 0 "$journey" dump --stage=ast "$work/good.journey" && contains "dump" "$out" "Start"
expect "dump bad stage" 2 "$journey" dump --stage=nonsense "$work/good.journey" && ok

# --- Backends: the interpreter and the JIT (issue 4) -------------------------------------------
bp="$root/examples/business_phone.journey"
expect "dump llvm" 0 "$journey" dump --stage=llvm "$bp" && contains "dump llvm defines functions" "$out" "define internal double @expr."
contains "dump llvm calls the runtime's samplers" "$out" "@journey_rt_sample_lognormal"
contains "dump llvm is optimized IR for this host" "$out" "target-cpu"
expect "dump llvm with errors" 1 "$journey" dump --stage=llvm "$work/bad.journey" && contains "dump llvm errors" "$err" "Dnoe"
expect "simulate jit" 0 "$journey" simulate --backend jit -n 2000 --threads 1 --no-progress "$bp" && contains "simulate jit report" "$out" "(jit backend"
expect "simulate interpreter" 0 "$journey" simulate --backend interpreter -n 2000 --threads 1 --no-progress "$bp" && contains "simulate interpreter report" "$out" "(interpreter backend"
expect "simulate unknown backend" 2 "$journey" simulate --backend vm -n 10 "$bp" && ok
expect "build jm" 0 "$journey" build "$bp" -o "$work/bp.jm" && ok
expect "simulate jm jit" 0 "$journey" simulate --backend jit --format json -n 3000 --seed 5 --no-progress "$work/bp.jm" && jitJson=$out
expect "simulate jm interpreter" 0 "$journey" simulate --backend interpreter --format json -n 3000 --seed 5 --no-progress "$work/bp.jm" && interpJson=$out
if [ -n "${jitJson:-}" ] && [ "${jitJson:-}" = "${interpJson:-}" ]; then ok; else echo "FAIL jm json identical under both backends"; failed=$((failed + 1)); fi

# --- graph: the journey map ------------------------------------------------------------------
expect "help lists graph" 0 "$journey" --help && contains "help lists graph" "$out" "graph"
contains "help has a graph example" "$out" "journey graph --format svg"
expect "graph dot" 0 "$journey" graph "$work/good.journey" && contains "graph dot" "$out" 'digraph "Good" {'
contains "graph dot stage" "$out" '"Start" [id="stage-Start"'
if [ -z "$err" ]; then ok; else echo "FAIL graph writes to stderr on success: $err"; failed=$((failed + 1)); fi
expect "graph mermaid" 0 "$journey" graph --format mermaid "$work/good.journey" && contains "graph mermaid" "$out" "flowchart LR"
contains "graph mermaid goal" "$out" 's_Done[["<b>Done</b>'
expect "graph persona" 0 "$journey" graph --persona Everyone "$work/good.journey" && contains "graph persona" "$out" "persona Everyone (100%)"
expect "graph bad persona" 2 "$journey" graph --persona Everyon "$work/good.journey" && contains "bad persona" "$err" "\`--persona Everyon\`: \`Good\` has no such persona; did you mean \`Everyone\`? its personas are Everyone"
if [ -z "$out" ]; then ok; else echo "FAIL graph bad persona wrote a map"; failed=$((failed + 1)); fi
expect "graph bad format" 2 "$journey" graph --format png "$work/good.journey" && ok
expect "graph missing file" 2 "$journey" graph "$work/nope.journey" && contains "graph missing file" "$err" "cannot read"
expect "graph errors" 1 "$journey" graph --color=never "$work/bad.journey" && contains "graph errors" "$err" "[unknown-name]"
contains "graph errors: no map" "$err" "no map drawn: fix the errors above first"
if [ -z "$out" ]; then ok; else echo "FAIL graph drew a map of a spec with errors"; failed=$((failed + 1)); fi
# Findings of the checks do not stop the map: they are drawn in red, and reported on stderr.
expect "graph dead end" 0 "$journey" graph --color=never tests/golden/graph/fail_dead_end.journey && contains "graph dead end drawn" "$out" "dead-end: customers can enter"
contains "graph dead end in red" "$out" 'color="#c62828"'
contains "graph dead end reported" "$err" "[dead-end]"
expect "graph warning" 0 "$journey" graph --format mermaid "$work/warn.journey" && contains "graph warning drawn" "$out" "unreachable-stage: no customer can reach stage Orphan"
# -o: written through a temporary file; nothing on stdout; a failed run leaves the old file.
expect "graph -o" 0 "$journey" graph -o "$work/map.dot" "$work/good.journey" && contains "graph -o reports" "$err" "wrote $work/map.dot: the map of Good, 2 stages"
if [ -z "$out" ] && head -1 "$work/map.dot" | grep -q '^// The journey map of Good'; then ok; else echo "FAIL graph -o: stdout '$out', file: $(head -c 200 "$work/map.dot")"; failed=$((failed + 1)); fi
if ls -A "$work" | grep -qE '^\..*\.[A-Za-z0-9]{10}\.tmp$'; then echo "FAIL graph -o left a temporary file"; failed=$((failed + 1)); else ok; fi
cp "$work/map.dot" "$work/map.before"
expect "graph -o errors keep the file" 1 "$journey" graph -o "$work/map.dot" "$work/bad.journey" && ok
if cmp -s "$work/map.dot" "$work/map.before"; then ok; else echo "FAIL graph -o replaced the map of a spec with errors"; failed=$((failed + 1)); fi
expect "graph -o no directory" 2 "$journey" graph -o "$work/no/such/dir/map.dot" "$work/good.journey" && contains "graph -o no directory" "$err" "cannot write"
expect "graph -o -" 0 "$journey" graph -o - "$work/good.journey" && contains "graph -o -" "$out" 'digraph "Good" {'
# A symbolic link and a named pipe are written through, never replaced (think of /dev/stdout).
echo old >"$work/target.dot" && ln -s "$work/target.dot" "$work/link.dot"
expect "graph -o symlink" 0 "$journey" graph -o "$work/link.dot" "$work/good.journey" && contains "graph -o symlink" "$(cat "$work/target.dot")" 'digraph "Good" {'
if [ -L "$work/link.dot" ]; then ok; else echo "FAIL graph -o replaced a symbolic link"; failed=$((failed + 1)); fi
mkfifo "$work/pipe.mmd"
(cat "$work/pipe.mmd" >"$work/from-pipe.mmd") &
reader=$!
expect "graph -o fifo" 0 "$journey" graph --format mermaid -o "$work/pipe.mmd" "$work/good.journey" && ok
wait "$reader"
if [ -p "$work/pipe.mmd" ] && grep -q "flowchart LR" "$work/from-pipe.mmd"; then ok; else echo "FAIL graph -o did not write through a named pipe"; failed=$((failed + 1)); fi
mkdir "$work/map-dir"
expect "graph -o directory" 2 "$journey" graph -o "$work/map-dir" "$work/good.journey" && contains "graph -o directory" "$err" "it is a directory"
expect "graph --output mermaid" 0 "$journey" graph --format mermaid --output "$work/map.mmd" "$work/good.journey" && contains "graph --output" "$(cat "$work/map.mmd")" "flowchart LR"
# SVG needs Graphviz's dot: a clear error without it, never a hang with a broken one.
expect "graph svg without dot" 2 env PATH=/nonexistent "$journey" graph --format svg "$work/good.journey" && contains "no dot" "$err" "Graphviz's \`dot\` is not on PATH"
contains "no dot: what to install" "$err" "sudo apt-get install graphviz"
if [ -z "$out" ]; then ok; else echo "FAIL graph svg without dot wrote output"; failed=$((failed + 1)); fi
expect "graph svg bad JOURNEY_DOT" 2 env JOURNEY_DOT="$work/no-dot" "$journey" graph --format svg "$work/good.journey" && contains "bad JOURNEY_DOT" "$err" "JOURNEY_DOT names"
printf '#!/bin/sh\nsleep 30\n' >"$work/slow-dot" && chmod +x "$work/slow-dot"
start=$(date +%s)
expect "graph svg hanging dot" 2 env JOURNEY_DOT="$work/slow-dot" JOURNEY_DOT_TIMEOUT=1 "$journey" graph --format svg "$work/good.journey" && contains "hanging dot" "$err" "did not finish within 1 s and was stopped"
if [ $(($(date +%s) - start)) -lt 20 ]; then ok; else echo "FAIL graph waited for a hanging dot"; failed=$((failed + 1)); fi
printf '#!/bin/sh\ncat >/dev/null\necho "Error: <stdin>: syntax error in line 1" >&2\nexit 1\n' >"$work/bad-dot" && chmod +x "$work/bad-dot"
expect "graph svg failing dot" 2 env JOURNEY_DOT="$work/bad-dot" "$journey" graph --format svg -o "$work/map.svg" "$work/good.journey" && contains "failing dot" "$err" "exited with status 1: Error: <stdin>: syntax error in line 1"
if [ -e "$work/map.svg" ]; then echo "FAIL graph wrote an SVG although dot failed"; failed=$((failed + 1)); else ok; fi
printf '#!/bin/sh\nexit 0\n' >"$work/quiet-dot" && chmod +x "$work/quiet-dot"
expect "graph svg dot that reads nothing" 2 env JOURNEY_DOT="$work/quiet-dot" "$journey" graph --format svg tests/golden/graph/rules_and_personas.journey && contains "dot wrote nothing" "$err" "wrote nothing"
if command -v dot >/dev/null; then
  expect "graph svg" 0 "$journey" graph --format svg "$work/good.journey" && contains "graph svg" "$out" "<svg"
  expect "graph svg -o" 0 "$journey" graph --format svg -o "$work/map.svg" examples/business_phone.journey && contains "graph svg -o" "$(head -c 2000 "$work/map.svg")" "<svg"
fi

# --- Writing files: devices and pipes are written into, never replaced -----------------------
small=(--no-progress -n 200)
phone="$root/examples/business_phone.journey"
# Every writer, given OUT: `writer OUT`.
writers=(
  "simulate ${small[*]} $phone -o"
  "build $phone -o"
  "compare ${small[*]} $phone $phone -o"
  "sweep ${small[*]} $phone --set renewal_discount=0%..10%:10% -o"
  "graph $phone -o"
)
# Device nodes of our own (never the system's /dev/null): making them needs root.
if [ "$(id -u)" -eq 0 ]; then
  mkdir "$work/dev" && mknod "$work/dev/null" c 1 3 && mknod "$work/dev/full" c 1 7
  for writer in "${writers[@]}"; do
    read -ra args <<<"$writer"
    expect "${args[0]} -o a null device" 0 "$journey" "${args[@]}" "$work/dev/null" && ok
    if [ -c "$work/dev/null" ]; then ok; else echo "FAIL ${args[0]} -o replaced a device"; failed=$((failed + 1)); fi
    expect "${args[0]} -o a full device" 2 "$journey" "${args[@]}" "$work/dev/full" && contains "${args[0]} -o full" "$err" "No space left on device"
    if [ -c "$work/dev/full" ]; then ok; else echo "FAIL ${args[0]} -o replaced a device"; failed=$((failed + 1)); fi
  done
  expect "fmt a device" 2 "$journey" fmt "$work/dev/null" && contains "fmt a device" "$err" "it is a character device, not a regular file"
  if [ -c "$work/dev/null" ] && [ "$(ls -A "$work/dev" | wc -l)" -eq 2 ]; then ok; else echo "FAIL writers left files beside devices: $(ls -A "$work/dev")"; failed=$((failed + 1)); fi
fi
# `-o /dev/stdout` writes into standard output: through a pipe, and after what is already there.
# The link is our own, like /dev/stdout: a writer that renamed over it must not replace the system's.
ln -s /proc/self/fd/1 "$work/stdout-link"
for writer in "${writers[@]}"; do
  read -ra args <<<"$writer"
  expect "${args[0]} -o /dev/stdout in a pipe" 0 bash -c 'set -o pipefail; "$@" "$0" | wc -c' "$work/stdout-link" "$journey" "${args[@]}"
  if [ "${out:-0}" -gt 100 ]; then ok; else echo "FAIL ${args[0]} -o /dev/stdout wrote nothing"; failed=$((failed + 1)); fi
  expect "${args[0]} -o /dev/stdout appended" 0 bash -c 'file=$1; shift; { echo header; "$@" "$0"; } >"$file"' "$work/stdout-link" "$work/appended" "$journey" "${args[@]}"
  if [ "$(head -1 "$work/appended")" = header ] && [ "$(wc -c <"$work/appended")" -gt 100 ]; then ok; else
    echo "FAIL ${args[0]} -o /dev/stdout replaced standard output's file"; failed=$((failed + 1)); fi
done
# A link planted at a temporary name beside the output is never followed.
echo precious >"$work/victim"
ln -s "$work/victim" "$work/report.txt.journey-fmt.tmp"
expect "simulate -o beside a planted link" 0 "$journey" simulate "${small[@]}" "$phone" -o "$work/report.txt" && contains "planted link not followed by -o" "$(cat "$work/victim")" "precious"
contains "simulate -o wrote its report" "$(cat "$work/report.txt")" "converted (any goal)"
if ls -A "$work" | grep -qE '^\..*\.[A-Za-z0-9]{10}\.tmp$'; then echo "FAIL a writer left a temporary file: $(ls -A "$work")"; failed=$((failed + 1)); else ok; fi

# --- Standard output: output that is lost fails the run ------------------------------------------
if [ -c /dev/full ]; then
  for command in "simulate ${small[*]} --format json $work/good.journey" "check --format sarif $work/good.journey" \
      "fmt --stdout $work/messy.orig" "dump --stage=ast $work/good.journey" "dump --stage=machine $work/good.journey" \
      "analyze $work/good.journey" "graph $work/good.journey" "--help"; do
    read -ra args <<<"$command"
    expect "${args[0]} to a full disk" 2 bash -c '"$@" >/dev/full' _ "$journey" "${args[@]}" &&
      contains "${args[0]} to a full disk" "$err" "journey: error: cannot write to standard output: No space left on device"
  done
fi
expect "check to a closed stdout" 2 bash -c '"$@" >&-' _ "$journey" check --format json "$work/good.journey" && contains "closed stdout" "$err" "cannot write to standard output: Bad file descriptor"

# --- The bundled examples check clean --------------------------------------------------------
for example in "$root"/examples/*.journey; do
  [ -e "$example" ] || continue
  expect "example $(basename "$example")" 0 "$journey" check "$example" && ok
done

end_checks cli
