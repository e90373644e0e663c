// The ImageService over the engine: whether an image is there (its id is the kubelet's imageID),
// and pulling one, failing fast with the engine's own message when no registry can serve it.
import { ImagePullError } from "../runtime.js";
import { EngineClient, isNotFound, readAll } from "./engine-client.js";
import { imageRef } from "./status.js";

const PULL_TIMEOUT_MS = 60_000;

/** `name:latest` for a name without a tag or digest, as the kubelet means it. */
export function withDefaultTag(image: string): string {
  if (image.includes("@")) return image;
  const last = image.slice(image.lastIndexOf("/") + 1);
  return last.includes(":") ? image : `${image}:latest`;
}

/** `/images/{name}/json`; the name's `/` stay as they are, as Docker's own client sends them. */
export const imagePath = (image: string) => `/images/${encodeURI(withDefaultTag(image))}/json`;

export async function imageStatus(engine: EngineClient, image: string): Promise<string | undefined> {
  try {
    const { Id } = await engine.json<{ Id: string }>("GET", imagePath(image));
    return imageRef(Id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function pullImage(engine: EngineClient, image: string, timeoutMs = PULL_TIMEOUT_MS): Promise<string> {
  const ref = withDefaultTag(image);
  const at = ref.includes("@") ? ref.indexOf("@") : ref.lastIndexOf(":");
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await engine.request("POST", "/images/create", { query: { fromImage: ref.slice(0, at), tag: ref.slice(at + 1) }, signal: timeout });
    // The progress stream: one JSON object per line; a failure is one with `error` (the answer is still 200).
    for (const line of (await readAll(res)).toString("utf8").split("\n")) {
      let msg: { error?: string; errorDetail?: { message?: string } };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.error || msg.errorDetail?.message) throw new ImagePullError(image, msg.errorDetail?.message || msg.error || "");
    }
  } catch (err) {
    if (err instanceof ImagePullError) throw err;
    if (timeout.aborted) throw new ImagePullError(image, `pulling ${image} did not finish within ${timeoutMs / 1000}s`);
    throw new ImagePullError(image, (err as Error).message);
  }
  const id = await imageStatus(engine, image);
  if (!id) throw new ImagePullError(image, `image ${image} is not present after pulling it`);
  return id;
}
