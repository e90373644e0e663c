// The tcpSocket probe (upstream's probe/tcp): the port accepts a connection within the timeout.
import net from "node:net";
import { goDialError, type ProbeOutcome } from "./http.js";

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: "Failure", output: `dial tcp ${addr}: i/o timeout` });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: "Success", output: "" });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: "Failure", output: goDialError(err, { hostname: host, port: String(port) }) });
    });
  });
}
