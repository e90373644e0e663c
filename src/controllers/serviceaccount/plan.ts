// The ServiceAccounts controller's decision (pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active namespace has the accounts in DEFAULT_SERVICE_ACCOUNTS ("default"); whichever is
// missing is created again.

/** Upstream's DefaultServiceAccountsControllerOptions. */
export const DEFAULT_SERVICE_ACCOUNTS = ["default"];

/** The accounts to create, given the names that exist. */
export function missingServiceAccounts(existing: (name: string) => boolean, wanted: string[] = DEFAULT_SERVICE_ACCOUNTS): string[] {
  return wanted.filter((name) => !existing(name));
}

export function serviceAccountObject(name: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } };
}
