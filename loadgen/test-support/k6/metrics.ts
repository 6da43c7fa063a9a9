/** TEST STAND-IN for `k6/metrics`: counters and rates that keep their samples for the test to read. */
export const samples: Record<string, (number | boolean)[]> = {};
class Metric {
  constructor(readonly name: string) {
    samples[name] = [];
  }
  add(value: number | boolean): void {
    samples[this.name]!.push(value);
  }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
