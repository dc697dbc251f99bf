/**
 * CPU profile of `parseDftP03` over the bench's messages: where the microseconds go.
 *
 *   node --import tsx bench/profile-ingest.ts [--seconds=5] [--top=30]
 *
 * Runs the adapter in a loop under the V8 sampling profiler (node:inspector, 100 µs interval),
 * prints the functions with the most self time (package or project file, line) and writes the
 * profile to node_modules/.cache/hem-bench/ingest.cpuprofile (open it in Chrome DevTools or speedscope).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDftP03 } from '../functions/adapters/hl7v2';
import { buildDftP03 } from './hl7-ingest';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name: string, fallback: number): number => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** Self time per function, as a share of all samples. */
export const selfTimes = (profile: Profile): { share: number; frame: string }[] => {
  const perNode = new Map<number, number>();
  profile.samples.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const perFrame = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = perNode.get(node.id) ?? 0;
    total += us;
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(`file://${root}/`, '');
    const frame = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    perFrame.set(frame, (perFrame.get(frame) ?? 0) + us);
  }
  return [...perFrame.entries()].sort((a, b) => b[1] - a[1]).map(([frame, us]) => ({ share: us / Math.max(total, 1), frame }));
};

async function main(): Promise<void> {
  const seconds = option('seconds', 5);
  const top = option('top', 30);
  const encounterKey = new Uint8Array(32).map((_, i) => (i * 29 + 7) % 256);
  const messages = Array.from({ length: 60 }, (_, i) => buildDftP03(i));
  const runFor = (ms: number): number => {
    let runs = 0;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      for (const m of messages) parseDftP03(m, { encounterKey });
      runs += messages.length;
    }
    return runs;
  };
  runFor(1000); // warm-up: profile the optimised code, not the interpreter

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const started = performance.now();
  const runs = runFor(seconds * 1000);
  const elapsed = performance.now() - started;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();

  const out = path.join(root, 'node_modules/.cache/hem-bench/ingest.cpuprofile');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(profile));
  console.log(`parseDftP03: ${((elapsed * 1000) / runs).toFixed(2)} µs/message over ${runs} messages (profiler on)`);
  for (const { share, frame } of selfTimes(profile).slice(0, top)) {
    console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${frame}`);
  }
  console.log(`profile: ${path.relative(root, out)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
