// Time cells as upstream prints them: k8s.io/apimachinery/pkg/util/duration.HumanDuration and the
// printers' translateTimestampSince ("<unknown>" for a zero time).

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's metav1.Time zero value, 0001-01-01T00:00:00Z, as epoch milliseconds. */
const GO_ZERO_TIME = -62135596800000;

/**
 * A succinct duration with ~2-3 significant figures: "0s", "119s", "2m", "9m59s", "10m",
 * "179m", "3h", "7h59m", "8h", "47h", "2d", "7d23h", "8d", "729d", "2y", "7y364d", "8y".
 * `ms` is the duration in milliseconds; under -1s it is "<invalid>" (clock skew tolerated).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return "<invalid>";
  if (seconds <= 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (metav1.Time, or metav1.MicroTime with its fractional seconds)
 * to epoch milliseconds, keeping sub-millisecond fractions. Missing, empty, unparseable and
 * Go's zero time all give undefined: "IsZero()".
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const m = RFC3339.exec(value);
  let ms: number;
  if (m) {
    ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (+m[1] < 100) ms = withFullYear(ms, +m[1]);
    if (m[7]) ms += Number(m[7]) * SECOND;
    const tz = m[8];
    if (tz !== "Z" && tz !== "z") {
      const sign = tz[0] === "-" ? -1 : 1;
      ms -= sign * (Number(tz.slice(1, 3)) * HOUR + Number(tz.slice(4, 6)) * MINUTE);
    }
  } else {
    ms = Date.parse(value);
    if (Number.isNaN(ms)) return undefined;
  }
  return ms === GO_ZERO_TIME ? undefined : ms;
}

/** Date.UTC maps years 0-99 to 1900-1999; put the real year back. */
function withFullYear(ms: number, year: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(year);
  return d.getTime();
}

/** upstream translateTimestampSince / translateMicroTimestampSince: "<unknown>" when zero. */
export function since(timestamp: unknown, now: number): string {
  const t = parseTime(timestamp);
  if (t === undefined) return "<unknown>";
  return humanDuration(now - t);
}

/** Go's `t.UTC().Format(time.RFC3339)`: second precision, "Z"; zero time for missing. */
export function formatRFC3339(timestamp: unknown): string {
  const t = parseTime(timestamp);
  if (t === undefined) return "0001-01-01T00:00:00Z";
  const iso = new Date(Math.floor(t / SECOND) * SECOND).toISOString(); // 2024-01-02T03:04:05.000Z
  return iso.replace(/\.\d{3}Z$/, "Z");
}
