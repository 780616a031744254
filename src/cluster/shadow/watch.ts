/**
 * When to read the kubelet's checkpoints again: whenever its root directory or `device-plugins/`
 * changes (the kubelet writes each file to a temporary name and renames it into place, which
 * the directory watch sees), and on a period, because a watch can miss events (some file systems,
 * a directory created later). Watching opens the directories for reading only.
 */
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";

export interface KubeletWatch {
  stop(): void;
}

export function watchKubeletRoot(rootDir: string, periodMs: number, onChange: () => void): KubeletWatch {
  const watchers = new Map<string, FSWatcher>();
  const tryWatch = (dir: string) => {
    if (watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, () => {
        if (dir === rootDir) tryWatch(join(rootDir, "device-plugins"));
        onChange();
      });
      // A watched directory that goes away ends its watch; the period still reads, and the next
      // root event watches it again.
      w.on("error", () => {
        w.close();
        watchers.delete(dir);
      });
      watchers.set(dir, w);
    } catch {
      // Not there (yet) or not watchable here: the period covers it.
    }
  };
  tryWatch(rootDir);
  tryWatch(join(rootDir, "device-plugins"));
  const timer = setInterval(() => {
    tryWatch(join(rootDir, "device-plugins"));
    onChange();
  }, periodMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
