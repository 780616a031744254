import { type HistogramData, type MetricName, METRICS, type MetricsRegistry } from "../core/index.js";
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
  // prom-client is loaded here, not with the engine: most runs never print metrics, and it is
  // one of the heavier modules to start.
  const { Counter, Gauge, Registry } = await import("prom-client");
  const registry = new Registry();
  /** Exported names in the catalogue's order; histograms are written here, the rest by prom-client. */
  const order: string[] = [];
  const histograms = new Map<string, string>();
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
    order.push(exported);
    if (spec.type === "histogram") {
      histograms.set(exported, histogramText(exported, help, metrics.histogram(name)));
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
  const blocks: string[] = [];
  for (const exported of order) {
    const text = histograms.get(exported) ?? (await singleMetric(registry, exported));
    if (text !== null) blocks.push(text);
  }
  return `${blocks.join("\n\n")}\n`;
}

async function singleMetric(registry: import("prom-client").Registry, name: string): Promise<string | null> {
  return registry.getSingleMetric(name) ? registry.getSingleMetricAsString(name) : null;
}

/**
 * A histogram in the text exposition format, from its bucket counts: prom-client can only
 * rebuild one by replaying every observation, which a long-running agent cannot keep.
 */
function histogramText(name: string, help: string, h: HistogramData): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  let cumulative = 0;
  h.bounds.forEach((le, i) => {
    cumulative += h.counts[i] ?? 0;
    lines.push(`${name}_bucket{le="${le}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
  return lines.join("\n");
}
