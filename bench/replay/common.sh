# Helpers shared by replay.sh and stream.sh (sourced, not run).

# "1M" -> 1000000, "2.5M" -> 2500000, "250k" -> 250000, "1500000" -> 1500000.
parse_size() {
  local s="${1,,}"
  case "$s" in
    *.*m) python3 -c "print(int(float('${s%m}') * 1000000))" ;;
    *m) echo $(( ${s%m} * 1000000 )) ;;
    *k) echo $(( ${s%k} * 1000 )) ;;
    *) echo "$s" ;;
  esac
}

now() { date +%s.%N; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
