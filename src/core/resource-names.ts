/**
 * Kubernetes resource-name rules shared by the API-server validation (`k8s/`) and the machine
 * description (`machine/`, device-plugin resources): apimachinery `IsQualifiedName` and the core
 * helpers `IsNativeResource` / `IsExtendedResourceName`, with the API server's wording. They live
 * here, below both users, so the two cannot drift apart.
 */

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MSG =
  "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const TOO_MANY_SLASHES_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

/** The namespace of the native resources that carry a prefix (`kubernetes.io/…`). */
export const DEFAULT_RESOURCE_NAMESPACE = "kubernetes.io/";
/** Reserved for quota (`requests.cpu`), so no extended resource may start with it. */
export const REQUESTS_PREFIX = "requests.";

/** apimachinery `IsQualifiedName`: `[prefix/]name`; the API server's messages, empty when valid. */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split("/");
  let name = value;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) out.push("prefix part must be non-empty");
    else if (prefix.length > 253 || !SUBDOMAIN.test(prefix)) out.push(SUBDOMAIN_MSG);
  } else if (parts.length > 2) {
    return [TOO_MANY_SLASHES_MSG];
  }
  if (name.length === 0) out.push("name part must be non-empty");
  else if (name.length > 63) out.push("name part must be no more than 63 characters");
  if (name.length > 0 && !NAME_PART.test(name)) out.push(NAME_PART_MSG);
  return out;
}

/** `IsNativeResource`: no prefix (`cpu`, `hugepages-2Mi`), or anywhere in `kubernetes.io/`. */
export function isNativeResourceName(name: string): boolean {
  return !name.includes("/") || name.includes(DEFAULT_RESOURCE_NAMESPACE);
}

/**
 * Why `name` is not an extended resource name (`IsExtendedResourceName`), or null when it is one.
 * The kubelet refuses a device plugin registering any other name.
 */
export function extendedResourceNameProblem(name: string): string | null {
  if (!name.includes("/")) return "a name without a domain prefix is a native resource";
  if (name.includes(DEFAULT_RESOURCE_NAMESPACE))
    return `the ${DEFAULT_RESOURCE_NAMESPACE} namespace is reserved for native resources`;
  if (name.startsWith(REQUESTS_PREFIX)) return `the "${REQUESTS_PREFIX}" prefix is reserved for quota`;
  // The API server checks the quota form of the name, so the prefix has 9 characters less room.
  const problems = qualifiedNameProblems(`${REQUESTS_PREFIX}${name}`);
  return problems.length > 0 ? problems[0] : null;
}

export function isExtendedResourceName(name: string): boolean {
  return extendedResourceNameProblem(name) === null;
}
