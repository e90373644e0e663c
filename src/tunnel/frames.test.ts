// The tunnel's frames: data frames carry their stream id exactly, control frames that are not
// well formed are dropped rather than trusted, and unknown types are ignored (later versions).
import { describe, expect, it } from "vitest";
import { decodeDataFrame, encodeDataFrame, parseControlFrame, tunnelConnectPath } from "./frames.js";

describe("tunnel frames", () => {
  it("round-trips data frames with any 32-bit id, as a view of the same bytes", () => {
    for (const id of [0, 1, 0x7fffffff, 0xffffffff]) {
      const bytes = new TextEncoder().encode(`stream ${id}\n`);
      const frame = encodeDataFrame(id, bytes);
      expect(frame.byteLength).toBe(bytes.byteLength + 4);
      const back = decodeDataFrame(frame.buffer.slice(0) as ArrayBuffer)!;
      expect(back.id).toBe(id);
      expect(new TextDecoder().decode(back.bytes)).toBe(`stream ${id}\n`);
    }
    expect(decodeDataFrame(new Uint8Array([0, 0, 1]))).toBeUndefined();
    const offset = new Uint8Array(10);
    offset.set(encodeDataFrame(258, new Uint8Array([9])), 5);
    expect(decodeDataFrame(offset.subarray(5, 10))).toEqual({ id: 258, bytes: new Uint8Array([9]) });
  });

  it("parses the control frames and drops malformed ones", () => {
    const open = { type: "open", id: 7, op: "logs", namespace: "ns", pod: "p", uid: "u", container: "c", options: { follow: true, previous: false, timestamps: false } };
    expect(parseControlFrame(JSON.stringify(open))).toEqual(open);
    expect(parseControlFrame('{"type":"error","id":7,"code":400,"message":"no"}')).toEqual({ type: "error", id: 7, code: 400, reason: "", message: "no" });
    expect(parseControlFrame('{"type":"end","id":7,"extra":1}')).toEqual({ type: "end", id: 7 });
    for (const bad of ["not json", "null", '{"type":"end"}', '{"type":"end","id":-1}', '{"type":"end","id":4294967296}', '{"type":"open","id":1,"op":"exec"}', '{"type":"error","id":1,"code":"400","message":"x"}', '{"type":"resize","id":1}']) {
      expect(parseControlFrame(bad)).toBeUndefined();
    }
  });

  it("names the connect path of a node", () => {
    expect(tunnelConnectPath("node-1")).toBe("/apis/tunnel.edgeplane.dev/v1/nodes/node-1/connect");
  });
});
