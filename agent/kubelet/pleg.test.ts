// The PLEG names the pods whose containers or sandboxes changed between two relists.
import { describe, expect, it } from "vitest";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from "../runtimes/runtime.js";
import { SimulatedRuntime } from "../runtimes/simulated.js";
import { PodLifecycleEventGenerator } from "./pleg.js";

async function podWith(runtime: SimulatedRuntime, name: string) {
  const labels = { [LABEL_POD_NAME]: name, [LABEL_POD_NAMESPACE]: "ns", [LABEL_POD_UID]: `${name}-uid` };
  const sb = await runtime.runPodSandbox({ name, namespace: "ns", uid: `${name}-uid`, attempt: 0, hostname: name, hostNetwork: false, labels, annotations: {} });
  const id = await runtime.createContainer(sb, { name: "c", image: "i", kind: "regular", labels: { ...labels, [LABEL_CONTAINER_NAME]: "c" }, annotations: {} });
  await runtime.startContainer(id);
  return { sb, id };
}

describe("PodLifecycleEventGenerator", () => {
  it("reports every pod on the first relist, then only the pods that changed", async () => {
    const runtime = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    const a = await podWith(runtime, "a");
    const b = await podWith(runtime, "b");
    const seen: string[] = [];
    const pleg = new PodLifecycleEventGenerator({ runtime, onPodChanged: (k) => seen.push(k) });
    expect((await pleg.relist()).sort()).toEqual(["ns/a", "ns/b"]);
    expect(await pleg.relist()).toEqual([]);

    await runtime.stopContainer(a.id, 0); // exited
    expect(await pleg.relist()).toEqual(["ns/a"]);
    await runtime.removeContainer(a.id); // vanished
    expect(await pleg.relist()).toEqual(["ns/a"]);
    await runtime.stopPodSandbox(b.sb); // the sandbox died
    expect(await pleg.relist()).toEqual(["ns/b"]);
    expect(seen.slice(2)).toEqual(["ns/a", "ns/a", "ns/b"]); // onPodChanged heard each one
    await runtime.close();
  });

  it("relists on its own every period once started", async () => {
    const runtime = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    const seen: string[] = [];
    const pleg = new PodLifecycleEventGenerator({ runtime, onPodChanged: (k) => seen.push(k), periodMs: 20 });
    pleg.start();
    await podWith(runtime, "late");
    await new Promise((r) => setTimeout(r, 100));
    pleg.stop();
    expect(seen).toEqual(["ns/late"]);
    await runtime.close();
  });
});
