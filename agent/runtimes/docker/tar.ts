// Just enough of the ustar format for the docker runtime: writing the pause image's root
// filesystem (to import it) and reading a file out of `GET /containers/{id}/archive` (the
// termination message).

export interface TarEntry {
  path: string;
  /** Absent for a directory. */
  data?: Buffer;
  mode: number;
}

const BLOCK = 512;

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const isDir = entry.data === undefined;
  const name = isDir && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: path too long: ${name}`);
  h.write(name, 0, 100, "utf8");
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";
  h.write(octal(entry.mode, 8), 100);
  h.write(octal(0, 8), 108); // uid
  h.write(octal(0, 8), 116); // gid
  h.write(octal(entry.data?.length ?? 0, 12), 124);
  h.write(octal(0, 12), 136); // mtime: a fixed one, so the same content makes the same image
  h.write("        ", 148); // checksum field counts as spaces while summing
  h.write(isDir ? "5" : "0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

/** A tar archive of the entries, in order. */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.data) {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The content of the first regular file in a tar archive (an archive of one file holds just it), at most `limit` bytes. */
export function firstFileOfTar(tar: Buffer, limit: number): Buffer | undefined {
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return undefined;
    const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(h[156] || 0x30);
    off += BLOCK;
    if (type === "0" || type === "\0") return tar.subarray(off, off + Math.min(size, limit));
    off += Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}
