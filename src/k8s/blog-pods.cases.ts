/** Pod manifests shared by tests of the parser, QoS and cgroup rules. */

/** The two examples of the v1.36 blog post (pod-level.md §7.1, §7.2), as users write them. */
export const BLOG_DATABASE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: tightly-coupled-database
spec:
  resources:
    requests:
      cpu: "8"
      memory: "16Gi"
    limits:
      cpu: "8"
      memory: "16Gi"
  initContainers:
  - name: metrics-exporter
    image: prom/node-exporter
    restartPolicy: Always
  - name: backup-agent
    image: backup-agent:v1
    restartPolicy: Always
  containers:
  - name: database
    image: postgres:16
    resources:
      requests:
        cpu: "6"
        memory: "12Gi"
      limits:
        cpu: "6"
        memory: "12Gi"
`;

export const BLOG_ML_POD = `apiVersion: v1
kind: Pod
metadata:
  name: ml-workload
  namespace: training
spec:
  resources:
    requests:
      cpu: "4"
      memory: "8Gi"
    limits:
      cpu: "4"
      memory: "8Gi"
  initContainers:
  - name: service-mesh-sidecar
    image: istio/proxyv2
    restartPolicy: Always
  containers:
  - name: ml-training
    image: pytorch/pytorch
    ports:
    - containerPort: 8080
    env:
    - name: EPOCHS
      value: "10"
    resources:
      requests:
        cpu: "3"
        memory: "6Gi"
      limits:
        cpu: "3"
        memory: "6Gi"
`;
