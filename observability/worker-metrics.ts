// GET /metrics of a worker process: the process's own counters (observability/metrics.ts) followed by the
// Temporal SDK's metrics (workflow and activity task latencies, slots, sticky cache, polls…), which the
// SDK's native core serves through its Prometheus exporter on an internal loopback port.
import { createServer, type Server } from 'node:http';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.js';

export interface WorkerMetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics on host:port (port 0: any free one); `coreMetricsUrl` is the SDK exporter's address. */
export async function startWorkerMetricsServer(opts: {
  host: string;
  port: number;
  coreMetricsUrl?: string;
}): Promise<WorkerMetricsServer> {
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const parts = [await metricsText()];
      if (opts.coreMetricsUrl) {
        const core = await fetch(opts.coreMetricsUrl, { signal: AbortSignal.timeout(5_000) });
        parts.push(await core.text());
      }
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(parts.join('\n'));
    } catch (err) {
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`metrics unavailable: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
