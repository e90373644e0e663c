// How a long-running command learns it should stop: SIGINT, SIGTERM or SIGHUP, and, with
// EDGEPLANE_STOP_WITH_PARENT=1 (set by tests and by `edgeplane up` for its agent), the process
// that started this one going away (reported as SIGTERM). Returns the function that stops listening.
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, stop);
  let timer: NodeJS.Timeout | undefined;
  if (process.env.EDGEPLANE_STOP_WITH_PARENT === "1") {
    const parent = process.ppid;
    timer = setInterval(() => {
      if (process.ppid !== parent) stop("SIGTERM");
    }, 1000);
    timer.unref();
  }
  return () => {
    if (timer) clearInterval(timer);
    for (const s of signals) process.off(s, stop);
  };
}
