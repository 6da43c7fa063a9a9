/** TEST STAND-IN for `k6`: `sleep` blocks as k6's does (the exported script sleeps between retries). */
export const slept: number[] = [];
export function sleep(seconds: number): void {
  slept.push(seconds);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}
