// The authorization matrix's data: the identities, the resources with their fixtures, and the
// expected answers written by hand from upstream's semantics (see authz-matrix.test.ts).
export const TEAM = "team";
export const OTHER = "other";
export const LEASES = "kube-node-lease";
export const FIXTURE_CLUSTER_ROLE = "authz-matrix-fixture";

export const WHO = ["admin", "team-admin", "viewer", "node", "default", "anonymous"] as const;
export type Who = (typeof WHO)[number];
export const USER: Record<Who, string> = {
  admin: "edgeplane-admin",
  "team-admin": `system:serviceaccount:${TEAM}:team-admin`,
  viewer: `system:serviceaccount:${TEAM}:viewer`,
  node: "system:node:n1",
  default: `system:serviceaccount:${TEAM}:default`,
  anonymous: "system:anonymous",
};
export const SA_GROUPS = `["system:serviceaccounts" "system:serviceaccounts:${TEAM}" "system:authenticated"]`;

// ---- resources -------------------------------------------------------------------------------

export interface Kind {
  group: string;
  version: string;
  plural: string;
  sub?: string;
  /** A valid object to create, named `name` in namespace `ns` ("" when cluster-scoped). */
  make?: (name: string, ns: string) => unknown;
}

export const meta = (name: string, ns: string) => (ns ? { name, namespace: ns } : { name });
export const podSpec = (extra: Record<string, unknown> = {}) => ({ containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", ...extra }] });
export const template = (app: string) => ({ metadata: { labels: { app } }, spec: podSpec() });
export const RBAC = "rbac.authorization.k8s.io";

export const KINDS: Record<string, Kind> = {
  pods: { group: "", version: "v1", plural: "pods", make: (name, ns) => ({ apiVersion: "v1", kind: "Pod", metadata: meta(name, ns), spec: podSpec() }) },
  "pods/status": { group: "", version: "v1", plural: "pods", sub: "status" },
  configmaps: { group: "", version: "v1", plural: "configmaps", make: (name, ns) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(name, ns), data: { k: "v" } }) },
  secrets: { group: "", version: "v1", plural: "secrets", make: (name, ns) => ({ apiVersion: "v1", kind: "Secret", metadata: meta(name, ns), stringData: { k: "v" } }) },
  services: { group: "", version: "v1", plural: "services", make: (name, ns) => ({ apiVersion: "v1", kind: "Service", metadata: meta(name, ns), spec: { ports: [{ port: 80 }] } }) },
  serviceaccounts: { group: "", version: "v1", plural: "serviceaccounts", make: (name, ns) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name, ns) }) },
  "serviceaccounts/token": { group: "", version: "v1", plural: "serviceaccounts", sub: "token", make: () => ({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} }) },
  deployments: {
    group: "apps",
    version: "v1",
    plural: "deployments",
    make: (name, ns) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: meta(name, ns), spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: template(name) } }),
  },
  replicasets: {
    group: "apps",
    version: "v1",
    plural: "replicasets",
    make: (name, ns) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: meta(name, ns), spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: template(name) } }),
  },
  roles: {
    group: RBAC,
    version: "v1",
    plural: "roles",
    make: (name, ns) => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: meta(name, ns), rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }),
  },
  rolebindings: {
    group: RBAC,
    version: "v1",
    plural: "rolebindings",
    make: (name, ns) => ({
      apiVersion: `${RBAC}/v1`,
      kind: "RoleBinding",
      metadata: meta(name, ns),
      roleRef: { apiGroup: RBAC, kind: "Role", name: "fixture" },
      subjects: [{ apiGroup: RBAC, kind: "User", name: "nobody" }],
    }),
  },
  events: {
    group: "",
    version: "v1",
    plural: "events",
    make: (name, ns) => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: meta(name, ns),
      involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: "fixture", namespace: ns },
      reason: "Matrix",
      message: "authorization matrix",
      type: "Normal",
      source: { component: "authz-matrix" },
    }),
  },
  leases: {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    make: (name, ns) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: meta(name, ns), spec: { holderIdentity: name, leaseDurationSeconds: 40 } }),
  },
  namespaces: { group: "", version: "v1", plural: "namespaces", make: (name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }) },
  nodes: { group: "", version: "v1", plural: "nodes", make: (name) => ({ apiVersion: "v1", kind: "Node", metadata: { name } }) },
  "nodes/status": { group: "", version: "v1", plural: "nodes", sub: "status" },
  clusterroles: {
    group: RBAC,
    version: "v1",
    plural: "clusterroles",
    make: (name) => ({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }),
  },
  resourcequotas: {
    group: "",
    version: "v1",
    plural: "resourcequotas",
    make: (name, ns) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: meta(name, ns), spec: { hard: { configmaps: "1000" } } }),
  },
};

export const prefixOf = (k: Kind) => (k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`);

// ---- the matrix ------------------------------------------------------------------------------

export const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] as const;
export type Verb = (typeof VERBS)[number];
export const LETTERS = "glwcupdD";

// One line per (resource, where, target). `where`: a namespace, `*` (all namespaces) or `-`
// (cluster scope); `target`: the object the named verbs (get, update, patch, delete, and create
// of a subresource) address. Each column is one identity, one character per verb in the order
//   g=get l=list w=watch c=create u=update p=patch d=delete D=deletecollection
// where the verb's letter means allowed (anything but 401/403), `.` means 403 from authorization
// (upstream's message, checked exactly), `x` means 403 from admission (NodeRestriction: the
// authorizer lets it through, the plugin refuses; only `… is forbidden: …` is checked) and `-`
// means not asked (the verb does not apply, or the row only varies the named target).
// The admin is allowed and anonymous gets 401 in every cell that is asked.
export const MATRIX = `
# resource             where            target      team-admin  viewer    node      default
pods                   team             p-n1        glwcupdD    glw.....  g..x..d.  ........
pods                   team             p-n2        g---upd-    g---...-  .---..x-  .---...-
pods                   other            fixture     ........    ........  ...x..x.  ........
pods                   *                -           -..-----    -..-----  -..-----  -..-----
pods/status            team             p-n1        g---..--    g---..--  .---up--  .---..--
pods/status            team             p-n2        g---..--    g---..--  .---xx--  .---..--
pods/status            other            fixture     .---..--    .---..--  .---xx--  .---..--
configmaps             team             cm-n1       glwcupdD    glw.....  g.......  ........
configmaps             team             cm-n2       g---upd-    g---...-  .---...-  .---...-
configmaps             other            fixture     ........    ........  ........  ........
configmaps             *                -           -..-----    -..-----  -..-----  -..-----
secrets                team             s-n1        glwcupdD    ........  g.......  ........
secrets                team             s-n2        g---upd-    .---...-  .---...-  .---...-
secrets                other            fixture     ........    ........  ........  ........
secrets                *                -           -..-----    -..-----  -..-----  -..-----
services               team             fixture     glwcupdD    glw.....  glw.....  ........
services               other            fixture     ........    ........  glw.....  ........
services               *                -           -..-----    -..-----  -lw-----  -..-----
serviceaccounts        team             fixture     glwcupdD    glw.....  ........  ........
serviceaccounts        other            fixture     ........    ........  ........  ........
serviceaccounts        *                -           -..-----    -..-----  -..-----  -..-----
serviceaccounts/token  team             fixture     ---c----    ---.----  ---.----  ---.----
serviceaccounts/token  other            fixture     ---.----    ---.----  ---.----  ---.----
deployments            team             fixture     glwcupdD    glw.....  ........  ........
deployments            other            fixture     ........    ........  ........  ........
deployments            *                -           -..-----    -..-----  -..-----  -..-----
replicasets            team             fixture     glwcupdD    glw.....  ........  ........
replicasets            other            fixture     ........    ........  ........  ........
replicasets            *                -           -..-----    -..-----  -..-----  -..-----
roles                  team             fixture     glwcupdD    ........  ........  ........
roles                  other            fixture     ........    ........  ........  ........
roles                  *                -           -..-----    -..-----  -..-----  -..-----
rolebindings           team             fixture     glwcupdD    ........  ........  ........
rolebindings           other            fixture     ........    ........  ........  ........
rolebindings           *                -           -..-----    -..-----  -..-----  -..-----
events                 team             fixture     glwcupdD    glw.....  ...cup..  ........
events                 other            fixture     ........    ........  ...cup..  ........
events                 *                -           -..-----    -..-----  -..-----  -..-----
leases                 kube-node-lease  n1          ........    ........  g..cupd.  ........
leases                 kube-node-lease  n2          .--....-    .--....-  .--x...-  .--....-
leases                 team             fixture     glwcupdD    ........  ........  ........
leases                 other            fixture     ........    ........  ........  ........
namespaces             -                team        g.......    g.......  ........  ........
namespaces             -                other       .---...-    .---...-  .---...-  .---...-
nodes                  -                n1          ........    ........  glwcup..  ........
nodes                  -                n2          .--....-    .--....-  g--xxx.-  .--....-
nodes/status           -                n1          .---..--    .---..--  .---up--  .---..--
nodes/status           -                n2          .---..--    .---..--  .---xx--  .---..--
clusterroles           -                ${FIXTURE_CLUSTER_ROLE}  ........  ........  ........  ........
resourcequotas         team             fixture     glw.....    glw.....  ........  ........
resourcequotas         other            fixture     ........    ........  ........  ........
resourcequotas         *                -           -..-----    -..-----  -..-----  -..-----
`;

export type Answer = "allow" | "forbid" | "admission" | "unauthorized";

export interface Row {
  kind: string;
  where: string;
  target: string;
  answers: Record<Who, Array<Answer | undefined>>;
}

export function parseMatrix(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const [kind, where, target, ...cols] = line.trim().split(/\s+/);
    if (!KINDS[kind] || cols.length !== 4) throw new Error(`bad matrix line: ${line}`);
    const answers = {} as Row["answers"];
    const columns: Record<string, string> = { "team-admin": cols[0], viewer: cols[1], node: cols[2], default: cols[3] };
    const asked = [...cols[0]].map((ch) => ch !== "-");
    for (const [who, spec] of Object.entries(columns)) {
      if (spec.length !== 8) throw new Error(`bad matrix line (${who}): ${line}`);
      answers[who as Who] = [...spec].map((ch, i) => {
        if ((ch === "-") !== !asked[i]) throw new Error(`the "-" columns differ between identities: ${line}`);
        if (ch === "-") return undefined;
        if (ch === ".") return "forbid";
        if (ch === "x") return "admission";
        if (ch === LETTERS[i]) return "allow";
        throw new Error(`bad character ${ch} for ${VERBS[i]} (${who}): ${line}`);
      });
    }
    answers.admin = asked.map((a) => (a ? "allow" : undefined));
    answers.anonymous = asked.map((a) => (a ? "unauthorized" : undefined));
    rows.push({ kind, where, target, answers });
  }
  return rows;
}

