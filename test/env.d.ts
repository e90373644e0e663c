// The bindings tests inside workerd see (cloudflare:test's env) are the Worker's own.
type EdgeplaneEnv = import("../src/env.js").Env;
declare namespace Cloudflare {
  interface Env extends EdgeplaneEnv {}
}
