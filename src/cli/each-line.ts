// Calls `onLine` with every complete line a child process writes to a stream (utf-8).
export function eachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let partial = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}
