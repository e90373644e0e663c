// The part of autocannon's API the services bench uses (the package ships no types).
declare module "autocannon" {
  interface Percentiles {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }
  export interface AutocannonResult {
    requests: { average: number; total: number };
    latency: Percentiles;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }
  export default function autocannon(opts: { url: string; connections?: number; duration?: number; pipelining?: number; timeout?: number }): Promise<AutocannonResult>;
}
