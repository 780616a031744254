import type { Pod } from "../../k8s/index.js";
import { podFromYaml } from "../../node/test-support.js";

/** A Burstable pod (requests only) of one container `nginx`: it runs in the node shared pool. */
export function burstableWebPod(): Pod {
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  containers:
  - name: nginx
    image: nginx
    resources: {requests: {cpu: 250m, memory: 64Mi}}
`);
}
