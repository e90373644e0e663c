// EDGEPLANE_STOP_WITH_PARENT=1 (set by tests and by `edgeplane up` for its agent): stop when the
// process that started this one goes away, as if told to by a signal. Returns the cancel.
export function stopWithParent(stop: () => void): () => void {
  if (process.env.EDGEPLANE_STOP_WITH_PARENT !== "1") return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
