/** Where the real pipeline runs: the same code against the embedded edge, LocalStack or AWS. */
export type TargetName = 'embedded' | 'localstack' | 'aws';

/** What a client needs to reach a target's AWS APIs. `endpoint` is absent for real AWS (the SDK's own endpoints). */
export interface TargetEndpoints {
  name: TargetName;
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A target that was started (or reached) by a command, and must be stopped by it. */
export interface RunningTarget extends TargetEndpoints {
  stop(): Promise<void>;
}

/** Emulators accept any key pair but s3rver's, whose default pair is S3RVER/S3RVER (emulators-and-peers.md §4). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
