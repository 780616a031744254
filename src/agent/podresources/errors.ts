/** The PodResources server could not start or stop: one line naming the socket and what went wrong. */
export class PodResourcesServerError extends Error {
  override name = "PodResourcesServerError";
}
