// The identity controllers, as registry.ts plugs them in: in every namespace store the
// ServiceAccounts controller, the root CA publisher and (in kube-system) the bootstrap token
// cleaner; in the cluster store the poke that resyncs a namespace's store when it is added.
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { tokenCleanerController } from "../bootstrap/tokencleaner.js";
import { rootCACertPublisher } from "../rootcacertpublisher/controller.js";
import { serviceAccountsController } from "./controller.js";
import { namespacePokeController } from "./namespace-poke.js";

export function identityNamespaceControllers(deps: ControllerDeps): Controller[] {
  return [serviceAccountsController(deps), rootCACertPublisher(deps), tokenCleanerController(deps)];
}

export function identityClusterControllers(deps: ControllerDeps): Controller[] {
  return [namespacePokeController(deps)];
}
