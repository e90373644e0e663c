// A volume of the pod could not be made ready (upstream's FailedMount): the pod stays in
// ContainerCreating and the kubelet records an event with this message until a later sync succeeds.

export class VolumeError extends Error {
  readonly reason = "FailedMount";

  constructor(
    /** The volume's name in the pod spec. */
    readonly volume: string,
    /** What went wrong, without the MountVolume.SetUp prefix. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`, options);
    this.name = "VolumeError";
  }
}

/** Thrown by setUpPod when volumes failed: the first failure's message, every failure in `failures`. */
export class PodVolumesError extends VolumeError {
  constructor(readonly failures: VolumeError[]) {
    super(failures[0].volume, failures[0].detail, { cause: failures[0].cause });
  }
}
