// Upstream apimachinery validators (k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation), with their exact detail messages, so 422s read like kube-apiserver's.
import { type FieldError, forbidden, invalid, required, tooLong } from "../lib/field-errors.js";
import type { NameRule, ObjectMetaLike } from "./types.js";

// ---- message builders (validation.go) ----

export const emptyError = () => "must be non-empty";
export const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;
export const IS_NEGATIVE_ERROR_MSG = "must be greater than or equal to 0";

/** Upstream's RegexError, double space after each non-final example included. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += " or ";
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

const anchored = (fmt: string) => new RegExp(`^(?:${fmt})$`);

// ---- DNS names ----

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const DNS1035_LABEL_MAX = 63;

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const dns1123LabelRe = anchored(dns1123LabelFmt);
const dns1123SubdomainRe = anchored(dns1123SubdomainFmt);
const dns1035LabelRe = anchored(dns1035LabelFmt);

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) errs.push("must not contain dots");
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035_LABEL_MAX) errs.push(maxLenError(DNS1035_LABEL_MAX));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"));
  return errs;
}

/** generateName may end in '-': upstream masks the trailing dash before checking. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -1)}a` : name;
}

/** Upstream's path.ValidatePathSegmentName (prefix=true checks only the forbidden characters). */
export function isValidPathSegmentName(name: string, prefix = false): string[] {
  const errs: string[] = [];
  if (!prefix && (name === "." || name === "..")) errs.push(`may not be '${name}'`);
  for (const c of ["/", "%"]) if (name.includes(c)) errs.push(`may not contain '${c}'`);
  return errs;
}

/** The ValidateNameFunc for a NameRule: (name, prefix) → messages, as upstream's NameIsDNSSubdomain etc. */
export function nameValidator(rule: NameRule): (name: string, prefix: boolean) => string[] {
  switch (rule) {
    case "dns1123Subdomain":
      return (n, p) => isDNS1123Subdomain(p ? maskTrailingDash(n) : n);
    case "dns1123Label":
      return (n, p) => isDNS1123Label(p ? maskTrailingDash(n) : n);
    case "dns1035Label":
      return (n, p) => isDNS1035Label(p ? maskTrailingDash(n) : n);
    case "pathSegment":
      return (n, p) => isValidPathSegmentName(n, p);
  }
}

// ---- qualified names and label values ----

const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRe = anchored(qualifiedNameFmt);
export const QUALIFIED_NAME_MAX = 63;

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRe = anchored(labelValueFmt);
export const LABEL_VALUE_MAX = 63;

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  return errs;
}

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const enc = new TextEncoder();
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += enc.encode(k).length + enc.encode(v).length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, "", TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

// ---- numbers and ports ----

export function validateNonnegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

const portNameCharsetRe = /^[-a-z0-9]+$/;
const portNameOneLetterRe = /[a-z]/;

/** Upstream's IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!portNameCharsetRe.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!portNameOneLetterRe.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** An IntOrString port: a number in range or an IANA service name. */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === "string") {
    if (port.length === 0) return [required(path, "")];
    return isValidPortName(port).map((m) => invalid(path, port, m));
  }
  return [required(path, "")];
}

const percentRe = /^[0-9]+%$/;

/** Upstream apps ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === "string") {
    if (!percentRe.test(v)) return [invalid(path, v, regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"))];
    return [];
  }
  return validateNonnegative(v, path);
}

/** Numeric value of an IntOrString percent ("25%" → 25), or undefined. */
export function percentValue(v: number | string | undefined): number | undefined {
  return typeof v === "string" && percentRe.test(v) ? Number(v.slice(0, -1)) : undefined;
}

// ---- config keys, env names ----

const configMapKeyFmt = "[-._a-zA-Z0-9]+";
const configMapKeyRe = anchored(configMapKeyFmt);

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!configMapKeyRe.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
  }
  if (value === ".") errs.push("must not be '.'");
  else if (value === "..") errs.push("must not be '..'");
  else if (value.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** Upstream's IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, GA). */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c < 32 || c > 126 || ch === "=") {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

// ---- ObjectMeta ----

export interface OwnerReferenceLike {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export function validateOwnerReferences(refs: OwnerReferenceLike[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (refs ?? []).forEach((r, i) => {
    const p = `${path}[${i}]`;
    const apiVersion = r.apiVersion ?? "";
    const slash = apiVersion.split("/");
    if (slash.length > 2) errs.push(invalid(`${p}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else if ((slash.length === 1 ? slash[0] : slash[1]).length === 0) errs.push(invalid(`${p}.apiVersion`, apiVersion, "version must not be empty"));
    if (!r.kind) errs.push(invalid(`${p}.kind`, r.kind ?? "", "kind must not be empty"));
    if (!r.name) errs.push(invalid(`${p}.name`, r.name ?? "", "name must not be empty"));
    if (!r.uid) errs.push(invalid(`${p}.uid`, r.uid ?? "", "uid must not be empty"));
    if (r.controller) controllers.push(`${r.kind ?? ""}/${r.name ?? ""}`);
  });
  if (controllers.length > 1) {
    errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(" and ")}`));
  }
  return errs;
}

export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...isQualifiedName(f).map((m) => invalid(path, f, m)));
  if (list.includes("orphan") && list.includes("foregroundDeletion")) {
    errs.push(invalid(path, list, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

/**
 * Upstream's ValidateObjectMeta minus the namespace rule (the registry checks that, knowing the
 * request path). `nameRule` decides how name and generateName are checked.
 */
export function validateObjectMeta(meta: ObjectMetaLike | undefined, _namespaced: boolean, nameRule: NameRule, path = "metadata"): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const nameFn = nameValidator(nameRule);
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push(required(`${path}.name`, "name or generateName is required"));
  else for (const msg of nameFn(m.name, false)) errs.push(invalid(`${path}.name`, m.name, msg));
  errs.push(...validateNonnegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/** ObjectMeta of an embedded template (pod templates): only labels and annotations matter. */
export function validateTemplateMeta(meta: ObjectMetaLike | undefined, path: string): FieldError[] {
  return [...validateLabels(meta?.labels, `${path}.labels`), ...validateAnnotations(meta?.annotations, `${path}.annotations`)];
}

// ---- label selectors ----

export interface LabelSelectorRequirementLike {
  key?: string;
  operator?: string;
  values?: string[];
}
export interface LabelSelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementLike[];
}

export function validateLabelSelector(sel: LabelSelectorLike | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [...validateLabels(sel.matchLabels, `${path}.matchLabels`)];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    switch (r.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, r.operator ?? "", "not a valid selector operator"));
    }
    errs.push(...validateLabelName(r.key ?? "", `${p}.key`));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** Whether a label set matches a selector (upstream LabelSelectorAsSelector(...).Matches). An empty selector matches everything. */
export function selectorMatches(sel: LabelSelectorLike | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false; // a nil selector matches nothing
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key ?? "");
    const val = l[r.key ?? ""];
    switch (r.operator) {
      case "In":
        if (!has || !(r.values ?? []).includes(val)) return false;
        break;
      case "NotIn":
        if (has && (r.values ?? []).includes(val)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function selectorIsEmpty(sel: LabelSelectorLike | undefined): boolean {
  return !sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}
