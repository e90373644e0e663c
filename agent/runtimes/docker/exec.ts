// Commands run inside a container (exec probes, preStop hooks): create the exec, attach to its
// output until it ends, then read its exit code. At the timeout the attachment is dropped and the
// caller told so; the engine's API has no way to kill an exec, so the process is left to finish
// (as dockershim did).
import type { ExecResult } from "../runtime.js";
import { EngineClient, FrameDemuxer } from "./engine-client.js";

/** Probes read at most this much output (upstream's probe output limit). */
export const MAX_EXEC_OUTPUT = 10 * 1024;

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
}

export async function execInContainer(engine: EngineClient, id: string, command: string[], timeoutSeconds: number): Promise<ExecResult> {
  const { Id: execId } = await engine.json<{ Id: string }>("POST", `/containers/${encodeURIComponent(id)}/exec`, {
    body: { AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, Cmd: command },
  });
  const deadline = Date.now() + Math.max(0, timeoutSeconds) * 1000;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), Math.max(1, deadline - Date.now()));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const res = await engine.request("POST", `/exec/${execId}/start`, { body: { Detach: false, Tty: false }, signal: timeout.signal });
    const demux = new FrameDemuxer();
    res.pipe(demux);
    res.on("error", (err) => demux.destroy(err));
    for await (const chunk of demux) {
      if (size < MAX_EXEC_OUTPUT) chunks.push((chunk as Buffer).subarray(0, MAX_EXEC_OUTPUT - size));
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    if (!timeout.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  const output = Buffer.concat(chunks).toString("utf8");
  if (timeout.signal.aborted) return { exitCode: -1, output, timedOut: true };
  // The stream ends as the process does; the engine records the exit code a moment later.
  for (let i = 0; ; i++) {
    const info = await engine.json<ExecInspect>("GET", `/exec/${execId}/json`);
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, output, timedOut: false };
    if (Date.now() >= deadline || i >= 50) return { exitCode: -1, output, timedOut: true };
    await new Promise((r) => setTimeout(r, 20));
  }
}
