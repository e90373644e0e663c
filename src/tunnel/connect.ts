// GET /apis/tunnel.edgeplane.dev/v1/nodes/NODE/connect with Upgrade: websocket: a node's agent
// opens its tunnel. Authenticated as every request (the audit record and the abuse limits too);
// only the node itself (user system:node:NODE in group system:nodes) may connect it, because
// whoever holds the socket answers the API's log requests for every pod of that node.
// The API app registers the route after authentication and limits, before path authorization.
import type { Ctx } from "../api/context.js";
import { NODE_USER_PREFIX, SYSTEM_NODES } from "../auth/user.js";
import { StatusError, badRequest, forbidden } from "../lib/status.js";
import { TUNNEL_GROUP, TUNNEL_VERSION } from "./frames.js";
import { agentNotConnected } from "./relay.js";
import { nodeTunnel } from "./stub.js";

export const TUNNEL_CONNECT_ROUTE = `/apis/${TUNNEL_GROUP}/${TUNNEL_VERSION}/nodes/:node/connect`;

export async function connectTunnel(c: Ctx): Promise<Response> {
  const node = c.req.param("node") ?? "";
  const user = c.get("user");
  if (user.username !== `${NODE_USER_PREFIX}${node}` || !user.groups.includes(SYSTEM_NODES)) {
    throw forbidden(
      { group: TUNNEL_GROUP, resource: "nodes" },
      node,
      `User ${JSON.stringify(user.username)} cannot connect the tunnel of node ${JSON.stringify(node)}: only the node itself (user ${NODE_USER_PREFIX}${node} in group ${SYSTEM_NODES}) may`,
    );
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw badRequest("the node tunnel is a WebSocket: connect with Upgrade: websocket");
  const stub = nodeTunnel(c.env, node);
  if (!stub) throw new StatusError(agentNotConnected(node));
  return stub.fetch(c.req.raw);
}
