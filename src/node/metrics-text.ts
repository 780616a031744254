import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type MetricName, METRICS, type MetricsRegistry } from "../core/index.js";
import type { KubernetesVersion } from "../k8s/index.js";

/**
 * The exported name of a metric in a Kubernetes version (metrics.md §1, MET-1): classic metrics
 * carry the `kubelet_` subsystem; the three KEP-5526 metrics have none in 1.36 (ALPHA) and
 * `kubelet_` in 1.37 (BETA).
 */
export function exportedMetricName(name: MetricName, version: KubernetesVersion): string {
  const spec = METRICS[name];
  if ("podLevel" in spec && spec.podLevel && version === "1.36") return name;
  return `kubelet_${name}`;
}

function stability(name: MetricName, version: KubernetesVersion): string {
  const spec = METRICS[name];
  if ("podLevel" in spec && spec.podLevel) return version === "1.36" ? "ALPHA" : "BETA";
  return "ALPHA";
}

/** MET-2: exponential buckets from 0.05 ms, factor 2, 15 buckets. */
const DURATION_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.05 * 2 ** i);

function parseSeries(key: string): { name: string; labels: string[] } {
  const brace = key.indexOf("{");
  if (brace < 0) return { name: key, labels: [] };
  return { name: key.slice(0, brace), labels: key.slice(brace + 1, -1).split(",") };
}

/**
 * The engine's counters and gauges in the Prometheus text exposition format, with the kubelet's
 * names, help texts (stability prefixed) and labels for the given version.
 */
export async function metricsText(metrics: MetricsRegistry, version: KubernetesVersion): Promise<string> {
  const registry = new Registry();
  const byName = new Map<string, { name: MetricName; labels: string[]; value: number }[]>();
  for (const [key, value] of Object.entries(metrics.snapshot())) {
    const { name, labels } = parseSeries(key);
    if (!(name in METRICS)) continue;
    const list = byName.get(name) ?? [];
    list.push({ name: name as MetricName, labels, value });
    byName.set(name, list);
  }
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const spec = METRICS[name];
    const help = `[${stability(name, version)}] ${spec.help}`;
    const labelNames = [...spec.labels];
    const exported = exportedMetricName(name, version);
    if (spec.type === "histogram") {
      const h = new Histogram({ name: exported, help, buckets: DURATION_BUCKETS, registers: [registry] });
      for (const v of metrics.histogram(name)) h.observe(v);
      continue;
    }
    const series = byName.get(name);
    if (!series) continue;
    const metric =
      spec.type === "counter"
        ? new Counter({ name: exported, help, labelNames, registers: [registry] })
        : new Gauge({ name: exported, help, labelNames, registers: [registry] });
    for (const s of series) {
      const labels = Object.fromEntries(labelNames.map((l, i) => [l, s.labels[i] ?? ""]));
      if (metric instanceof Counter) metric.inc(labels, s.value);
      else metric.set(labels, s.value);
    }
  }
  return registry.metrics();
}
