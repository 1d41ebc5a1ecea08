/** A V8 CPU profile (`Profiler.stop`'s result, a .cpuprofile file). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }>;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  /** Share of the busy samples (idle left out), 0..1. */
  share: number;
}

/** Where a frame's code lives: the program's own (by folder), a package, Node itself, or V8's work. */
export function componentOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'V8 / native (program)';
    return `native ${functionName || '(anonymous)'}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) return 'node internals';
  // The program's own code, by its top folder (request-logs, providers, metrics, ...).
  const dist = url.lastIndexOf('/dist/');
  if (dist < 0) return 'own code';
  const [folder] = url.slice(dist + '/dist/'.length).split('/');
  return `own: ${folder.replace(/\.js$/, '')}`;
}

function frameName(url: string, functionName: string, line: number): string {
  if (!url) return functionName;
  const modules = url.lastIndexOf('/node_modules/');
  const dist = url.lastIndexOf('/dist/');
  const short =
    modules >= 0
      ? url.slice(modules + '/node_modules/'.length)
      : dist >= 0
        ? url.slice(dist + 1)
        : url.replace(/^file:\/\//, '');
  return `${functionName || '(anonymous)'} ${short}:${line + 1}`;
}

/** Self time per function and per component, as shares of the busy (non-idle) samples. */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; components: SelfTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const functions = new Map<string, number>();
  const components = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += count;
    const name = frameName(frame.url, frame.functionName, frame.lineNumber);
    functions.set(name, (functions.get(name) ?? 0) + count);
    const component = componentOf(frame.url, frame.functionName);
    components.set(component, (components.get(component) ?? 0) + count);
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .map(([name, count]) => ({ name, share: busy > 0 ? count / busy : 0 }))
      .sort((a, b) => b.share - a.share);
  return { functions: ranked(functions), components: ranked(components) };
}
