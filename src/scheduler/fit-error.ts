// The message of a pod that fits no node, exactly as upstream's FitError.Error() and
// ErrNoNodesAvailable print it: "0/3 nodes are available: 1 node(s) had untolerated taint
// {dedicated: gpu}, 2 Insufficient cpu." — one "<count> <reason>" per distinct reason, sorted as
// strings (count first, byte order), or the PreFilter message when PreFilter rejected the pod.

export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

/** sort.Strings: byte-wise order, not locale order. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function fitErrorMessage(numAllNodes: number, reasons: Readonly<Record<string, number>>, preFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) return `${msg} ${preFilterMsg}.`;
  const histogram = Object.entries(reasons)
    .map(([reason, count]) => `${count} ${reason}`)
    .sort(byteOrder);
  if (histogram.length > 0) msg += ` ${histogram.join(", ")}.`;
  return msg;
}
