/** Subscribes a component to a run source and returns the snapshot of its latest frame. */
import { useEffect, useState } from 'react';
import type { RunSnapshot, RunSource } from './run-source.ts';

export function useRunSnapshot(source: RunSource, points: number): RunSnapshot {
  const [snapshot, setSnapshot] = useState(() => source.snapshot(points));
  useEffect(() => {
    setSnapshot(source.snapshot(points));
    return source.subscribe(() => setSnapshot(source.snapshot(points)));
  }, [source, points]);
  return snapshot;
}
