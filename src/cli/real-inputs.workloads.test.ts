/**
 * What users really feed podpin, as a table: workload manifests of every kind in the shapes charts
 * and kubectl produce them, kubectl dumps (status, managedFields, `kind: List`), pods with sidecars
 * and pod-level resources, kubeadm configurations, and the mistakes people make in them. Each case
 * is read the way `simulate` and `explain` read it (a file on disk) and pins the pods produced —
 * names, count, key resources — or the exact one-line error.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { KubeletConfig, PodInput, PodInputOptions } from "../k8s/index.js";
import { loadKubeletConfig } from "./inputs.js";
import { loadPodInputs } from "./pod-sources.js";

const dir = mkdtempSync(join(tmpdir(), "podpin-real-inputs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface PodCase {
  name: string;
  text: string;
  ext?: "yaml" | "json";
  options?: PodInputOptions;
  /** `namespace/name` of every pod, in order. */
  pods?: string[];
  check?: (inputs: PodInput[]) => void;
  /** The exact message; FILE stands for the input file's path. */
  error?: string;
}

interface ConfigCase {
  name: string;
  text: string;
  check?: (k: KubeletConfig) => void;
  error?: string;
}

const res = (inputs: PodInput[], i: number, c = 0, init = false) => {
  const pod = inputs[i].pod;
  const r = (init ? pod.initContainers : pod.containers)[c].resources;
  const show = (l: Record<string, { toString(): string }> | undefined) =>
    Object.entries(l ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v.toString()}`)
      .join(",");
  return `${show(r?.requests)} / ${show(r?.limits)}`;
};

// ---- workloads in the shapes charts and users write ----------------------------------------

const HELM_DEPLOYMENT = `# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-frontend
  namespace: shop
  labels:
    app.kubernetes.io/name: frontend
    app.kubernetes.io/instance: shop
    app.kubernetes.io/version: "2.4.1"
    helm.sh/chart: frontend-0.9.3
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  selector:
    matchLabels:
      app.kubernetes.io/name: frontend
      app.kubernetes.io/instance: shop
  template:
    metadata:
      annotations:
        checksum/config: 6f1c2a9e0d
      labels:
        app.kubernetes.io/name: frontend
        app.kubernetes.io/instance: shop
    spec:
      serviceAccountName: shop-frontend
      securityContext: {runAsNonRoot: true, fsGroup: 2000}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels: {app.kubernetes.io/name: frontend}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels: {app.kubernetes.io/name: frontend}
      volumes:
      - name: config
        configMap: {name: shop-frontend}
      - name: cache
        emptyDir: {sizeLimit: 1Gi}
      containers:
      - name: frontend
        image: "ghcr.io/example/shop-frontend:2.4.1"
        imagePullPolicy: IfNotPresent
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        env:
        - {name: LOG_LEVEL, value: info}
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
          initialDelaySeconds: 10
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 5
        resources:
          requests: {cpu: 250m, memory: 256Mi}
          limits: {cpu: "1", memory: 512Mi}
        volumeMounts:
        - {name: config, mountPath: /etc/shop}
        - {name: cache, mountPath: /var/cache/shop}
`;

const DEPLOY_DUMP = `apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "4"
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"prod"}}
  creationTimestamp: "2025-11-03T09:12:44Z"
  generation: 7
  labels: {app: api}
  managedFields:
  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:replicas: {}
    manager: kubectl-client-side-apply
    operation: Update
    time: "2025-11-03T09:12:44Z"
  name: api
  namespace: prod
  resourceVersion: "48213377"
  uid: 5d0c7f0e-2a57-4c8e-9b61-3f1c0d7a9e21
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels: {app: api}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
    type: RollingUpdate
  template:
    metadata:
      creationTimestamp: null
      labels: {app: api}
    spec:
      containers:
      - image: registry.example.com/api:1.18.2
        imagePullPolicy: IfNotPresent
        name: api
        resources:
          limits: {cpu: "4", memory: 8Gi}
          requests: {cpu: "4", memory: 8Gi}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status:
  availableReplicas: 2
  collisionCount: 1
  conditions:
  - lastTransitionTime: "2025-11-03T09:13:02Z"
    lastUpdateTime: "2025-11-03T09:13:02Z"
    message: Deployment has minimum availability.
    reason: MinimumReplicasAvailable
    status: "True"
    type: Available
  observedGeneration: 7
  readyReplicas: 2
  replicas: 2
  updatedReplicas: 2
`;

const POD_LIST_DUMP = `apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    creationTimestamp: "2025-11-03T09:13:00Z"
    generateName: api-6c9f8b7d54-
    labels: {app: api, pod-template-hash: 6c9f8b7d54}
    name: api-6c9f8b7d54-q8x2z
    namespace: prod
    ownerReferences:
    - apiVersion: apps/v1
      blockOwnerDeletion: true
      controller: true
      kind: ReplicaSet
      name: api-6c9f8b7d54
      uid: 0b7e4a11-4f3c-4b1e-8a65-2d9c7e5f1a03
    resourceVersion: "48213301"
    uid: 7a3e9c2d-1b4f-4e6a-9c8d-5f2a1e0b3c47
  spec:
    containers:
    - image: registry.example.com/api:1.18.2
      name: api
      resources:
        limits: {cpu: "4", memory: 8Gi}
        requests: {cpu: "4", memory: 8Gi}
    nodeName: worker-3
    restartPolicy: Always
  status:
    conditions:
    - {lastProbeTime: null, lastTransitionTime: "2025-11-03T09:13:01Z", status: "True", type: Ready}
    containerStatuses:
    - containerID: containerd://9f2c
      image: registry.example.com/api:1.18.2
      name: api
      ready: true
      restartCount: 0
      started: true
      state:
        running: {startedAt: "2025-11-03T09:13:01Z"}
    hostIP: 10.0.3.17
    phase: Running
    podIP: 10.244.3.41
    qosClass: Guaranteed
    startTime: "2025-11-03T09:13:00Z"
- apiVersion: v1
  kind: Pod
  metadata:
    name: api-6c9f8b7d54-mm4tp
    namespace: prod
    uid: 1c5d8e3f-6a2b-4d9e-8f7a-0b3c4d5e6f78
  spec:
    containers:
    - name: api
      image: registry.example.com/api:1.18.2
      resources:
        limits: {cpu: "4", memory: 8Gi}
        requests: {cpu: "4", memory: 8Gi}
  status:
    phase: Pending
    qosClass: Guaranteed
kind: List
metadata:
  resourceVersion: ""
`;

const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg
  namespace: data
spec:
  serviceName: pg-headless
  replicas: 3
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app: pg}
  template:
    metadata:
      labels: {app: pg}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: postgres
        image: postgres:16
        ports: [{containerPort: 5432, name: pg}]
        resources:
          requests: {cpu: "4", memory: 16Gi, hugepages-2Mi: 1Gi}
          limits: {cpu: "4", memory: 16Gi, hugepages-2Mi: 1Gi}
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast-ssd
      resources:
        requests: {storage: 100Gi}
`;

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-report
  namespace: analytics
  creationTimestamp: "2026-03-10T12:00:00Z"
spec:
  schedule: "30 2 * * *"
  timeZone: America/New_York
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: ghcr.io/example/report:7
            args: ["--date", "yesterday"]
            resources:
              requests: {cpu: "1", memory: 2Gi}
              limits: {cpu: "1", memory: 2Gi}
`;

const JOB = (spec: string, name = "train") => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ml
spec:
${spec}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: ghcr.io/example/trainer:3
        resources:
          limits: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1"}
`;

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: node-exporter}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: node-exporter}
    spec:
      hostNetwork: true
      hostPID: true
      priorityClassName: system-node-critical
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.2
        args: [--path.rootfs=/host]
        ports: [{containerPort: 9100, hostPort: 9100, name: metrics}]
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 128Mi}
`;

const SIDECAR_POD = `apiVersion: v1
kind: Pod
metadata:
  name: trading-engine
  namespace: fin
spec:
  resources:
    requests: {cpu: "6", memory: 12Gi}
    limits: {cpu: "6", memory: 12Gi}
  initContainers:
  - name: config-fetch
    image: busybox
    command: [sh, -c, "wget -O /cfg/app.yaml http://config/app"]
  - name: envoy
    image: envoyproxy/envoy:v1.31
    restartPolicy: Always
    resources:
      requests: {cpu: 0.5, memory: 0.5Gi}
      limits: {cpu: 0.5, memory: 0.5Gi}
  containers:
  - name: engine
    image: ghcr.io/example/engine:5
    resources:
      requests: {cpu: "4", memory: 8Gi}
      limits: {cpu: "4", memory: 8Gi}
`;

const QUANTITIES_POD = `apiVersion: v1
kind: Pod
metadata: {name: cache}
spec:
  containers:
  - name: redis
    image: redis:7
    resources:
      limits: {cpu: 1.5, memory: 1.5Gi, hugepages-2Mi: 0.5Gi}
`;

const WEB_DEPLOY = (extra = "", labels = "{app: web}") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
${extra}  template:
    metadata:
      labels: ${labels}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources: {limits: {cpu: "1", memory: 1Gi}}
`;

const KUBEADM = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: abcdef.0123456789abcdef
  ttl: 24h0m0s
nodeRegistration:
  criSocket: unix:///run/containerd/containerd.sock
  name: worker-numa
  kubeletExtraArgs:
  - {name: node-ip, value: 10.0.0.12}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.36.1
networking: {podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12}
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
cpuManagerPolicy: static
reservedSystemCPUs: "0,16"
memoryManagerPolicy: Static
kubeReserved: {memory: 1Gi}
evictionHard: {memory.available: 100Mi}
reservedMemory:
- numaNode: 0
  limits: {memory: 1124Mi}
topologyManagerPolicy: single-numa-node
topologyManagerScope: pod
featureGates: {PodLevelResourceManagers: true}
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: ipvs
`;

const DNS_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const names = (inputs: PodInput[]) => inputs.map((p) => p.pod.name);

const podCases: PodCase[] = [
  {
    name: "helm-chart Deployment with probes, volumes, affinity: 3 pods of its ReplicaSet",
    text: HELM_DEPLOYMENT,
    pods: [
      "shop/shop-frontend-fbfdd948d-bbmxb",
      "shop/shop-frontend-fbfdd948d-ngswl",
      "shop/shop-frontend-fbfdd948d-d5gxd",
    ],
    check: (inputs) => {
      for (const p of names(inputs))
        assert.match(p, /^shop-frontend-[b-z2-9]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(res(inputs, 0), "cpu=250m,memory=256Mi / cpu=1,memory=512Mi");
      const pod = inputs[0].pod;
      assert.equal(pod.labels?.["app.kubernetes.io/name"], "frontend");
      assert.equal(pod.labels?.["pod-template-hash"], pod.name.split("-")[2]);
      assert.equal(inputs[0].origin.kind, "Deployment");
    },
  },
  {
    name: "kubectl get deploy -o yaml dump: status, managedFields, collisionCount",
    text: DEPLOY_DUMP,
    pods: ["prod/api-7cdfbc94f8-chw5r", "prod/api-7cdfbc94f8-qfszd"],
    check: (inputs) => {
      assert.equal(res(inputs, 1), "cpu=4,memory=8Gi / cpu=4,memory=8Gi");
      // status.collisionCount enters the hash, as in the deployment controller.
      const withoutCollision = DEPLOY_DUMP.replace("  collisionCount: 1\n", "");
      const file = join(dir, "dump-no-collision.yaml");
      writeFileSync(file, withoutCollision);
      const other = loadPodInputs([file])[0].pod.labels?.["pod-template-hash"];
      assert.notEqual(other, inputs[0].pod.labels?.["pod-template-hash"]);
    },
  },
  {
    name: "kubectl get pods -o yaml: kind List with status, ownerReferences and qosClass",
    text: POD_LIST_DUMP,
    pods: ["prod/api-6c9f8b7d54-q8x2z", "prod/api-6c9f8b7d54-mm4tp"],
    check: (inputs) => {
      assert.equal(inputs[0].pod.uid, "7a3e9c2d-1b4f-4e6a-9c8d-5f2a1e0b3c47");
      assert.equal(inputs[0].pod.qosClass, "Guaranteed");
      assert.equal(inputs[1].pod.nodeName, undefined);
    },
  },
  {
    name: "kubectl get all -o yaml: a List with a Service is refused, naming the kind and line",
    text: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: api}
  spec:
    ports: [{port: 80}]
`,
    error:
      "FILE:5: items[0].kind: podpin reads Pods and the workloads that create them (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), alone or in a List; got kind Service",
  },
  {
    name: "a List inside a List, items without kind in a typed DeploymentList",
    text: `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DeploymentList
  items:
  - metadata: {name: a}
    spec:
      selector: {matchLabels: {app: a}}
      template:
        metadata: {labels: {app: a}}
        spec: {containers: [{name: c, image: busybox}]}
`,
    pods: ["default/a-5dddd9886c-g52tj"],
    check: (inputs) => {
      assert.equal(inputs.length, 1);
      assert.match(inputs[0].pod.name, /^a-[^-]+-[^-]{5}$/);
    },
  },
  {
    name: "StatefulSet with volumeClaimTemplates: ordinal names, hugepages kept",
    text: STATEFULSET,
    pods: ["data/pg-0", "data/pg-1", "data/pg-2"],
    check: (inputs) => {
      assert.equal(
        res(inputs, 2),
        "cpu=4,hugepages-2Mi=1Gi,memory=16Gi / cpu=4,hugepages-2Mi=1Gi,memory=16Gi",
      );
      assert.equal(inputs[1].pod.labels?.["statefulset.kubernetes.io/pod-name"], "pg-1");
      assert.equal(inputs[1].pod.labels?.["apps.kubernetes.io/pod-index"], "1");
    },
  },
  {
    name: "StatefulSet with ordinals.start 5 and --replicas 2",
    text: STATEFULSET.replace("  replicas: 3\n", "  replicas: 3\n  ordinals: {start: 5}\n"),
    options: { replicas: 2 },
    pods: ["data/pg-5", "data/pg-6"],
  },
  {
    name: "CronJob with a time zone: the Job of the first run after its creation",
    text: CRONJOB,
    pods: ["analytics/nightly-report-29553510-x8gq2"],
    check: (inputs) => {
      // Created 2026-03-10T12:00Z; 02:30 in New York on 2026-03-11 (EDT, UTC-4) is 06:30Z,
      // 29553510 minutes after the epoch.
      assert.equal(inputs[0].pod.labels?.["batch.kubernetes.io/job-name"], "nightly-report-29553510");
      assert.equal(res(inputs, 0), "cpu=1,memory=2Gi / cpu=1,memory=2Gi");
    },
  },
  {
    name: "kubectl get cronjob -o yaml: the Job of status.lastScheduleTime",
    text: `${CRONJOB}status:\n  lastScheduleTime: "2026-05-01T06:30:00Z"\n  lastSuccessfulTime: "2026-05-01T06:31:12Z"\n`,
    pods: ["analytics/nightly-report-29626950-j8qkb"],
  },
  {
    name: "a suspended CronJob starts no Job",
    text: CRONJOB.replace("  concurrencyPolicy: Forbid\n", "  concurrencyPolicy: Forbid\n  suspend: true\n"),
    pods: [],
  },
  {
    name: "Job with parallelism 4 and completions 10: 4 pods at once",
    text: JOB("  parallelism: 4\n  completions: 10\n"),
    pods: ["ml/train-rm6sl", "ml/train-tktr7", "ml/train-x8vrd", "ml/train-ppl2c"],
    check: (inputs) => {
      assert.equal(inputs.length, 4);
      for (const n of names(inputs)) assert.match(n, /^train-[^-]{5}$/);
      assert.equal(res(inputs, 0), "cpu=8,memory=32Gi,nvidia.com/gpu=1 / cpu=8,memory=32Gi,nvidia.com/gpu=1");
    },
  },
  {
    name: "Job with parallelism 5 and completions 2: capped by completions",
    text: JOB("  parallelism: 5\n  completions: 2\n"),
    pods: ["ml/train-rm6sl", "ml/train-tktr7"],
  },
  {
    name: "Indexed Job: <job>-<index>-<5 chars> and the completion index label",
    text: JOB("  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n", "shard"),
    pods: ["ml/shard-0-f4t2x", "ml/shard-1-cbpw6", "ml/shard-2-gtdhj"],
    check: (inputs) => {
      assert.deepEqual(
        names(inputs).map((n) => n.replace(/-[^-]{5}$/, "")),
        ["shard-0", "shard-1", "shard-2"],
      );
      assert.equal(inputs[2].pod.labels?.["batch.kubernetes.io/job-completion-index"], "2");
    },
  },
  {
    name: "DaemonSet with tolerations and hostNetwork: one pod, the controller's tolerations added",
    text: DAEMONSET,
    pods: ["monitoring/node-exporter-fvx4l"],
    check: (inputs) => {
      assert.equal(inputs.length, 1);
      assert.match(names(inputs)[0], /^node-exporter-[^-]{5}$/);
      const keys = (inputs[0].pod.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
      assert.deepEqual(keys, [
        "node-role.kubernetes.io/control-plane:NoSchedule",
        "node.kubernetes.io/not-ready:NoExecute",
        "node.kubernetes.io/unreachable:NoExecute",
        "node.kubernetes.io/disk-pressure:NoSchedule",
        "node.kubernetes.io/memory-pressure:NoSchedule",
        "node.kubernetes.io/pid-pressure:NoSchedule",
        "node.kubernetes.io/unschedulable:NoSchedule",
        "node.kubernetes.io/network-unavailable:NoSchedule",
      ]);
      // The controller's own not-ready toleration replaces the template's (no tolerationSeconds).
      assert.equal(inputs[0].pod.tolerations?.[1].tolerationSeconds, undefined);
      assert.equal(res(inputs, 0), "cpu=100m,memory=64Mi / memory=128Mi");
    },
  },
  {
    name: "--replicas does not multiply a DaemonSet's pod on one node",
    text: DAEMONSET,
    options: { replicas: 4 },
    pods: ["monitoring/node-exporter-fvx4l"],
  },
  {
    name: "ReplicaSet: <name>-<5 chars>",
    text: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: legacy-api-5f8d9c, namespace: prod}
spec:
  replicas: 2
  selector: {matchLabels: {app: legacy-api}}
  template:
    metadata: {labels: {app: legacy-api}}
    spec:
      containers: [{name: api, image: api:0.9, resources: {limits: {cpu: 500m, memory: 256Mi}}}]
`,
    pods: ["prod/legacy-api-5f8d9c-jbfxg", "prod/legacy-api-5f8d9c-d9q6k"],
    check: (inputs) => {
      assert.equal(inputs.length, 2);
      for (const n of names(inputs)) assert.match(n, /^legacy-api-5f8d9c-[^-]{5}$/);
      assert.notEqual(names(inputs)[0], names(inputs)[1]);
    },
  },
  {
    name: "ReplicationController without a selector: it defaults to the template's labels",
    text: `apiVersion: v1
kind: ReplicationController
metadata: {name: memcached}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: memcached}}
    spec:
      containers: [{name: memcached, image: "memcached:1.6", resources: {limits: {cpu: "2", memory: 4Gi}}}]
`,
    pods: ["default/memcached-nkzhb", "default/memcached-8f5gd", "default/memcached-c58gz"],
    check: (inputs) => {
      assert.equal(inputs[0].origin.kind, "ReplicationController");
    },
  },
  {
    name: "pod with a sidecar, a plain init container and pod-level resources: canonical quantities",
    text: SIDECAR_POD,
    pods: ["fin/trading-engine"],
    check: (inputs) => {
      assert.equal(res(inputs, 0, 1, true), "cpu=500m,memory=512Mi / cpu=500m,memory=512Mi");
      assert.equal(inputs[0].pod.initContainers[1].restartPolicy, "Always");
      assert.equal(inputs[0].pod.resources?.requests.memory.toString(), "12Gi");
    },
  },
  {
    name: "1.5Gi and 1.5 CPU arrive from the API server as 1536Mi and 1500m, and pin",
    text: QUANTITIES_POD,
    pods: ["default/cache"],
    check: (inputs) => {
      assert.equal(
        res(inputs, 0),
        "cpu=1500m,hugepages-2Mi=512Mi,memory=1536Mi / cpu=1500m,hugepages-2Mi=512Mi,memory=1536Mi",
      );
      assert.equal(inputs[0].pod.containers[0].resources?.requests.memory.asInt64(), 1610612736n);
    },
  },
  {
    name: "--static-pod keeps 1.5Gi as written (the Memory Manager's int64 failure is real)",
    text: QUANTITIES_POD,
    options: { staticPod: true },
    pods: ["default/cache"],
    check: (inputs) => {
      const memory = inputs[0].pod.containers[0].resources?.requests.memory;
      assert.equal(memory?.asInt64(), null);
      assert.equal(inputs[0].pod.annotations?.["kubernetes.io/config.source"], "file");
    },
  },
  {
    name: "--static-pod refuses a workload",
    text: WEB_DEPLOY(),
    options: { staticPod: true },
    error:
      "FILE:2: kind: a static pod manifest holds a Pod: the kubelet reads no Deployment from its manifest directory (read it without --static-pod, as the API server would)",
  },
  {
    name: "multi-document file: a Pod, a Deployment and a Job in order",
    text: `apiVersion: v1
kind: Pod
metadata: {name: solo}
spec: {containers: [{name: c, image: busybox}]}
---
${WEB_DEPLOY()}---
${JOB("  parallelism: 1\n", "once")}`,
    pods: ["default/solo", "default/web-b5dcddbff-27vcj", "default/web-b5dcddbff-vhmzl", "ml/once-jhw4x"],
    check: (inputs) => {
      assert.deepEqual(
        inputs.map((p) => p.origin.kind),
        ["Pod", "Deployment", "Deployment", "Job"],
      );
      assert.equal(names(inputs)[0], "solo");
    },
  },
  {
    name: "kubectl get deploy -o json (JSON, not YAML)",
    ext: "json",
    text: JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "prod", uid: "3f0e1d2c-0000-4000-8000-000000000001" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "api" } },
        template: {
          metadata: { labels: { app: "api" } },
          spec: {
            containers: [{ name: "api", image: "api:1", resources: { limits: { cpu: "2", memory: "2Gi" } } }],
          },
        },
      },
      status: { replicas: 1 },
    }),
    pods: ["prod/api-5fc6f654b4-pg8j7"],
    check: (inputs) => assert.equal(res(inputs, 0), "cpu=2,memory=2Gi / cpu=2,memory=2Gi"),
  },
  {
    name: "Deployment with --replicas 1 and with replicas 0",
    text: `${WEB_DEPLOY()}---\n${WEB_DEPLOY().replace("name: web", "name: idle").replace("replicas: 2", "replicas: 0")}`,
    options: { replicas: 1 },
    pods: ["default/web-b5dcddbff-27vcj", "default/idle-b5dcddbff-t8ph5"],
    check: (inputs) => {
      // --replicas overrides both counts: one pod each.
      assert.deepEqual(
        inputs.map((p) => p.origin.name),
        ["web", "idle"],
      );
    },
  },
  {
    name: "a Pod with generateName only gets a generated name",
    text: "apiVersion: v1\nkind: Pod\nmetadata: {generateName: debug-}\nspec: {containers: [{name: sh, image: busybox}]}\n",
    pods: ["default/debug-sptt6"],
    check: (inputs) => assert.match(names(inputs)[0], /^debug-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
  },
  {
    name: "Deployment from the old extensions/v1beta1 group",
    text: WEB_DEPLOY().replace("apps/v1", "extensions/v1beta1"),
    error:
      'FILE:1: apiVersion: no matches for kind "Deployment" in version "extensions/v1beta1" (the API server serves Deployment as apps/v1)',
  },
  {
    name: "a Pod with apiVersion v2",
    text: "apiVersion: v2\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n",
    error: 'FILE:1: apiVersion: no matches for kind "Pod" in version "v2" (the API server serves Pod as v1)',
  },
  {
    name: "a ConfigMap in a multi-document file",
    text: `${WEB_DEPLOY()}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n`,
    error:
      "FILE:18: kind: podpin reads Pods and the workloads that create them (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), alone or in a List; got kind ConfigMap",
  },
  {
    name: "Deployment whose selector does not match its template",
    text: WEB_DEPLOY("", "{app: website}"),
    error:
      'FILE:10: Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"website"}: `selector` does not match template `labels`',
  },
  {
    name: "Deployment with a near-miss field name",
    text: WEB_DEPLOY().replace("  replicas: 2", "  replica: 2"),
    error: 'FILE:5: spec.replica: unknown field "replica"; did you mean "replicas"?',
  },
  {
    name: "Deployment with a typo inside its template's resources",
    text: WEB_DEPLOY().replace("resources: {limits:", "resources: {limit:"),
    error:
      'FILE:15: spec.template.spec.containers[0].resources.limit: unknown field "limit"; did you mean "limits"?',
  },
  {
    name: "Deployment with negative replicas",
    text: WEB_DEPLOY().replace("replicas: 2", "replicas: -1"),
    error:
      'FILE:5: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  },
  {
    name: "Deployment whose template asks more CPU than its limit",
    text: WEB_DEPLOY().replace(
      'resources: {limits: {cpu: "1", memory: 1Gi}}',
      'resources: {requests: {cpu: "2"}, limits: {cpu: "1", memory: 1Gi}}',
    ),
    error:
      'FILE:15: Deployment.apps "web" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
  },
  {
    name: "Job without a restartPolicy (defaulted to Always)",
    text: JOB("").replace("      restartPolicy: Never\n", ""),
    error:
      'FILE:8: Job.batch "train" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  },
  {
    name: "CronJob with a six-field schedule",
    text: CRONJOB.replace('"30 2 * * *"', '"0 30 2 * * *"'),
    error:
      'FILE:8: CronJob.batch "nightly-report" is invalid: spec.schedule: Invalid value: "0 30 2 * * *": expected exactly 5 fields, found 6: [0 30 2 * * *]',
  },
  {
    name: "CronJob with a name longer than 52 characters",
    text: CRONJOB.replace("name: nightly-report", `name: ${"nightly-report-".repeat(4)}x`),
    error: `FILE:4: CronJob.batch "${"nightly-report-".repeat(4)}x" is invalid: metadata.name: Invalid value: "${"nightly-report-".repeat(4)}x": must be no more than 52 characters`,
  },
  {
    name: "StatefulSet whose pod spec is invalid fails when its controller creates the pod",
    text: STATEFULSET.replace("- name: postgres", "- name: Postgres_16"),
    error: `FILE:18: create Pod pg-0 in StatefulSet pg failed error: Pod "pg-0" is invalid: spec.containers[0].name: Invalid value: "Postgres_16": ${DNS_LABEL_MSG}`,
  },
  {
    name: "a Pod name with capitals and an underscore",
    text: "apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\nspec: {containers: [{name: c, image: busybox}]}\n",
    error: `FILE:3: Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": ${DNS_SUBDOMAIN_MSG}`,
  },
  {
    name: "a container name with a dot",
    text: "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: nginx.main, image: nginx}]}\n",
    error:
      'FILE:4: Pod "web" is invalid: spec.containers[0].name: Invalid value: "nginx.main": must not contain dots',
  },
];

const configCases: ConfigCase[] = [
  {
    name: "kubeadm join --config: JoinConfiguration and a KubeletConfiguration without kind defaults",
    text: `apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 10.0.0.10:6443
    token: abcdef.0123456789abcdef
    unsafeSkipCAVerification: true
nodeRegistration: {name: gpu-worker-7}
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cpuManagerPolicy: static
kubeReserved: {cpu: "2", memory: 2Gi}
topologyManagerPolicy: restricted
`,
    check: (k) => {
      assert.equal(k.cpuManagerPolicy, "static");
      assert.equal(k.topologyManagerPolicy, "restricted");
      assert.equal(k.numReservedCPUs, 2);
      assert.equal(k.memoryManagerPolicy, "None");
    },
  },
  {
    name: "a kubeadm configuration with two KubeletConfiguration documents",
    text: `${KUBEADM}---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n`,
    error: "FILE: expected one KubeletConfiguration document, found 2",
  },
  {
    name: "kubeadm init --config with five documents: its KubeletConfiguration is read",
    text: KUBEADM,
    check: (k) => {
      assert.equal(k.cpuManagerPolicy, "static");
      assert.equal(k.memoryManagerPolicy, "Static");
      assert.equal(k.topologyManagerScope, "pod");
      assert.equal(k.featureGates.PodLevelResourceManagers, true);
      assert.equal(k.reservedSystemCPUs?.toString(), "0,16");
    },
  },
  {
    name: "a kubeadm configuration without a KubeletConfiguration",
    text: KUBEADM.split("---\n")
      .filter((d) => !d.includes("KubeletConfiguration"))
      .join("---\n"),
    error:
      "FILE: no KubeletConfiguration document: its documents are InitConfiguration, ClusterConfiguration, KubeProxyConfiguration; a kubeadm configuration passes the kubelet's settings in a document with apiVersion: kubelet.config.k8s.io/v1beta1 and kind: KubeletConfiguration",
  },
];

describe("real-world inputs: pods produced or the exact error", () => {
  for (const c of podCases) {
    it(c.name, () => {
      const file = join(dir, `${c.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.${c.ext ?? "yaml"}`);
      writeFileSync(file, c.text);
      if (c.error !== undefined) {
        assert.throws(
          () => loadPodInputs([file], c.options),
          (err: Error) => {
            assert.equal(err.message, c.error?.replaceAll("FILE", file));
            return true;
          },
        );
        return;
      }
      const inputs = loadPodInputs([file], c.options);
      assert.deepEqual(
        inputs.map((p) => `${p.pod.namespace}/${p.pod.name}`),
        c.pods,
      );
      c.check?.(inputs);
    });
  }
  for (const c of configCases) {
    it(c.name, () => {
      const file = join(dir, `${c.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.yaml`);
      writeFileSync(file, c.text);
      if (c.error !== undefined) {
        assert.throws(
          () => loadKubeletConfig({ config: file, machine: "worked-example" }),
          (err: Error) => {
            assert.equal(err.message, c.error?.replaceAll("FILE", file));
            return true;
          },
        );
        return;
      }
      c.check?.(loadKubeletConfig({ config: file, machine: "worked-example" }));
    });
  }

  it("has at least 28 real-world inputs", () => {
    assert.ok(podCases.length + configCases.length >= 28, `${podCases.length + configCases.length} cases`);
  });
});
