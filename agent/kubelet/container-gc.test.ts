// Which container instances and sandboxes of a pod the GC removes, and that it does so on a runtime.
import { describe, expect, it } from "vitest";
import { LABEL_CONTAINER_NAME, type ContainerStatus, type PodSandbox } from "../runtimes/runtime.js";
import { SimulatedRuntime } from "../runtimes/simulated.js";
import { collectGarbage, planContainerGC } from "./container-gc.js";

const sb = (id: string, createdAt: number, ready: boolean) => ({ id, createdAt, state: ready ? "SANDBOX_READY" : "SANDBOX_NOTREADY", config: { attempt: 0 } }) as unknown as PodSandbox;
const c = (id: string, name: string, createdAt: number, state: ContainerStatus["state"], sandboxId = "s2"): ContainerStatus => ({
  id,
  sandboxId,
  name,
  image: "i",
  imageRef: "r",
  state,
  createdAt,
  startedAt: createdAt,
  finishedAt: 0,
  exitCode: 0,
  labels: { [LABEL_CONTAINER_NAME]: name },
});

describe("planContainerGC", () => {
  it("keeps running instances and the newest exited one of each container", () => {
    const plan = planContainerGC([sb("s2", 2, true)], [c("a1", "a", 1, "CONTAINER_EXITED"), c("a2", "a", 2, "CONTAINER_EXITED"), c("a3", "a", 3, "CONTAINER_RUNNING"), c("a0", "a", 0, "CONTAINER_EXITED"), c("b1", "b", 1, "CONTAINER_EXITED")]);
    expect(plan).toEqual({ containers: ["a1", "a0"], sandboxes: [] });
  });

  it("removes an old sandbox once nothing in it is kept, with its containers", () => {
    const sandboxes = [sb("s1", 1, false), sb("s2", 2, true)];
    const kept = planContainerGC(sandboxes, [c("old", "a", 1, "CONTAINER_EXITED", "s1"), c("new", "a", 2, "CONTAINER_RUNNING", "s2")]);
    expect(kept).toEqual({ containers: [], sandboxes: [] }); // the old exit is still the last one: lastState
    const gone = planContainerGC(sandboxes, [c("old", "a", 1, "CONTAINER_EXITED", "s1"), c("mid", "a", 2, "CONTAINER_EXITED", "s2"), c("new", "a", 3, "CONTAINER_RUNNING", "s2")]);
    expect(gone).toEqual({ containers: [], sandboxes: ["s1"] });
  });

  it("keeps nothing of a deleted pod", () => {
    expect(planContainerGC([sb("s1", 1, false)], [c("x", "a", 1, "CONTAINER_EXITED", "s1")], { podDeleted: true })).toEqual({ containers: [], sandboxes: ["s1"] });
  });
});

describe("collectGarbage", () => {
  it("removes what the plan says from the runtime", async () => {
    const runtime = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    const s = await runtime.runPodSandbox({ name: "p", namespace: "ns", uid: "u", attempt: 0, hostname: "p", hostNetwork: false, labels: {}, annotations: {} });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await runtime.createContainer(s, { name: "init", image: "i", kind: "init", labels: { [LABEL_CONTAINER_NAME]: "init" }, annotations: {} });
      await runtime.startContainer(id); // an init container completes at once
      ids.push(id);
    }
    const list = (await runtime.listContainers()).map((x, i) => ({ ...x, createdAt: i }));
    await collectGarbage(runtime, planContainerGC(await runtime.listPodSandboxes(), list));
    expect((await runtime.listContainers()).map((x) => x.id)).toEqual([ids[2]]);
    await runtime.close();
  });
});
